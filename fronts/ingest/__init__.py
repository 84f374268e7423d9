"""Readers for bibliographic exports, one module per format, all returning the same schema.

Every reader module exposes:

- ``NAME``: the format's name (also the ``source`` column of its records);
- ``sniff(path, head, config) -> bool``: whether the file's *content* (its first bytes,
  decoded) is this format; the extension is only a hint;
- ``read(path, config) -> ReadResult``: records and quarantined rows (see `fronts.ingest.common`).

`fronts.ingest.detect.read_file` detects the format from content, trying the readers in the
order of `fronts.ingest.detect.READERS` (most specific first).
"""
