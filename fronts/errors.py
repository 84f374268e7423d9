"""Domain errors. Each subclasses a built-in so callers can catch broadly or precisely."""

from __future__ import annotations

from pathlib import Path


class FrontsError(Exception):
    """Base class for every error raised by `fronts` on purpose."""


class ConfigError(FrontsError, ValueError):
    """The configuration is invalid; the message names the key and what was expected.

    A usage error for the command line (exit code 2), like `UsageError`.
    """


class InputFormatError(FrontsError, ValueError):
    """A file cannot be read: names the file, the record (when known) and the problem."""

    def __init__(self, file: str | Path, problem: str, record_no: int | None = None) -> None:
        self.file = str(file)
        self.record_no = record_no
        self.problem = problem
        where = f"{self.file}" if record_no is None else f"{self.file}, record {record_no}"
        super().__init__(f"{where}: {problem}")


class UnknownFormatError(InputFormatError):
    """No reader recognised the file's content."""

    def __init__(self, file: str | Path, tried: list[str], hint: str = "") -> None:
        problem = "unrecognised bibliographic format (tried: " + ", ".join(tried) + ")"
        if hint:
            problem += f". {hint}"
        super().__init__(file, problem)


class SchemaMismatchError(FrontsError, TypeError):
    """A frame does not match the documented schema of the table it is written to."""


class UsageError(FrontsError, ValueError):
    """The command was called wrongly (a missing file, a bad option or setting): exit code 2."""


class WarehouseBusyError(FrontsError):
    """Another process holds the warehouse; the message names it (pid, command, since when)."""
