"""Build a corpus from the OpenAlex API: every work a search or filter finds, written as the
OpenAlex JSON Lines (gzipped) that `fronts ingest` reads.

Plain HTTP through httpx rather than pyalex, where pyalex falls short for a long unattended
download: its retries are mounted for https only (a mirror or test server on http gets
none), a page cut mid-transfer is not retried (its JSON fails to parse), and its settings are a
module-wide global. What this module adds:

- **cursor paging** (``cursor=*``, then each page's ``meta.next_cursor``), 200 works a page;
- **the polite pool**: ``mailto=<email>`` on every request (OpenAlex's documented way to get the
  faster, more reliable pool);
- **retries with backoff** on 429, 5xx, timeouts, connection errors and cut pages: exponential
  (1, 2, 4 … 60 s) or the server's ``Retry-After``; after `max_retries` a `FetchError` says how to
  resume;
- **resumable**: after each page the works are appended to the output as one gzip member and
  flushed, then the next cursor is saved to ``<out>.state.json`` (written atomically). A rerun
  of the same command continues from that cursor; works already in the output (a crash
  between the two writes) are recognised by id and never written twice, and a gzip member cut
  by a crash is repaired by rewriting the complete lines before it.
"""

from __future__ import annotations

import contextlib
import gzip
import json
import os
import time
import zlib
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import httpx

from fronts.errors import FrontsError

DEFAULT_API_URL = "https://api.openalex.org"
PER_PAGE = 200
RETRY_STATUS = frozenset({429, 500, 502, 503, 504})
MAX_BACKOFF_S = 60.0


class FetchError(FrontsError):
    """The API could not be read (after retries), or the output belongs to another query."""


@dataclass(frozen=True)
class FetchQuery:
    """What to fetch: a full-text search and/or an OpenAlex filter, within publication years."""

    search: str | None = None
    filter: str | None = None
    year_from: int | None = None
    year_to: int | None = None
    email: str | None = None
    max_works: int | None = None
    api_url: str = DEFAULT_API_URL

    def params(self, cursor: str) -> dict[str, str]:
        """The query string of one page."""
        filters = [self.filter] if self.filter else []
        if self.year_from is not None or self.year_to is not None:
            low = self.year_from if self.year_from is not None else ""
            high = self.year_to if self.year_to is not None else ""
            filters.append(f"publication_year:{low}-{high}")
        params = {"per-page": str(PER_PAGE), "cursor": cursor}
        if filters:
            params["filter"] = ",".join(filters)
        if self.search:
            params["search"] = self.search
        if self.email:
            params["mailto"] = self.email
        return params

    def identity(self) -> dict[str, Any]:
        """What must match for a rerun to resume (not the limit or the address)."""
        return {k: v for k, v in asdict(self).items() if k not in ("max_works", "api_url")}


@dataclass
class FetchState:
    """The resumable state: the query, the next cursor, works written, and whether done."""

    query: dict[str, Any]
    cursor: str = "*"
    written: int = 0
    done: bool = False
    total: int | None = None


@dataclass(frozen=True)
class FetchResult:
    written: int  # works in the output file now
    new: int  # works this call added
    pages: int
    resumed: bool
    done: bool  # the API has no more pages (False: stopped at --max)
    retries: int


def state_path(out: Path) -> Path:
    return Path(f"{out}.state.json")


def _save_state(path: Path, state: FetchState) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(asdict(state), indent=1), encoding="utf-8")
    os.replace(tmp, path)


def _load_state(path: Path, query: FetchQuery, out: Path) -> FetchState | None:
    if not path.exists():
        return None
    try:
        state = FetchState(**json.loads(path.read_text(encoding="utf-8")))
    except (ValueError, TypeError) as exc:
        raise FetchError(
            f"{path}: unreadable resume state ({exc}); move it away to start anew"
        ) from None
    if state.query != query.identity():
        raise FetchError(
            f"{out} was started by another query ({state.query}); give another --out, or "
            "move it and its .state.json away to start anew"
        )
    return state


def existing_ids(out: Path) -> set[str]:
    """Ids of the works already in `out`. A last gzip member or line cut by a crash is dropped
    by rewriting the complete lines (what a rerun fetches again anyway)."""
    if not out.exists():
        return set()
    lines: list[bytes] = []
    cut = False
    try:
        with gzip.open(out, "rb") as fh:
            for line in fh:
                lines.append(line)
    except (EOFError, OSError, zlib.error):
        cut = True
    if lines and not lines[-1].endswith(b"\n"):
        lines.pop()
        cut = True
    ids = set()
    for line in lines:
        with contextlib.suppress(ValueError):
            ids.add(json.loads(line)["id"])
    if cut:
        tmp = out.with_name(out.name + ".repair")
        with gzip.open(tmp, "wb") as fh:
            fh.writelines(lines)
        os.replace(tmp, out)
    return ids


def get_page(
    client: httpx.Client,
    query: FetchQuery,
    cursor: str,
    max_retries: int,
    sleep: Callable[[float], None],
) -> tuple[dict[str, Any], int]:
    """One page of results and how many retries it took; `FetchError` after `max_retries`."""
    url = f"{query.api_url.rstrip('/')}/works"
    problem = ""
    for attempt in range(max_retries + 1):
        wait = min(MAX_BACKOFF_S, 2.0**attempt)
        try:
            response = client.get(url, params=query.params(cursor))
        except httpx.TransportError as exc:  # connection refused, reset, timeout
            problem = f"{type(exc).__name__}: {exc}"
        else:
            if response.status_code in RETRY_STATUS:
                problem = f"HTTP {response.status_code}"
                after = response.headers.get("Retry-After", "")
                wait = min(MAX_BACKOFF_S, float(after)) if after.isdigit() else wait
            elif response.status_code != 200:
                raise FetchError(
                    f"OpenAlex API: HTTP {response.status_code} for {response.url}: "
                    f"{response.text[:200]!r}"
                )
            else:
                try:
                    page = response.json()
                    if isinstance(page, dict) and isinstance(page.get("results"), list):
                        return page, attempt
                    problem = "a page without results"
                except ValueError:
                    problem = "a cut or invalid page (not JSON)"
        if attempt < max_retries:
            sleep(wait)
    raise FetchError(
        f"OpenAlex API: {problem} after {max_retries + 1} tries at cursor {cursor!r}; "
        "rerun the same command to resume"
    )


def _append(out: Path, works: list[dict[str, Any]]) -> None:
    """Append works as one gzip member, flushed to disk before the state moves on."""
    with open(out, "ab") as raw:
        with gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as fh:
            for work in works:
                fh.write((json.dumps(work, ensure_ascii=False) + "\n").encode("utf-8"))
        raw.flush()
        os.fsync(raw.fileno())


def pages(
    client: httpx.Client,
    query: FetchQuery,
    state: FetchState,
    max_retries: int,
    sleep: Callable[[float], None],
) -> Iterator[tuple[dict[str, Any], int]]:
    """Pages from the state's cursor on, until the API has no next cursor or no results."""
    while not state.done:
        page, retries = get_page(client, query, state.cursor, max_retries, sleep)
        yield page, retries


def fetch_openalex(
    query: FetchQuery,
    out: Path,
    client: httpx.Client,
    max_retries: int = 6,
    sleep: Callable[[float], None] = time.sleep,
    progress: Callable[[int, int | None], None] | None = None,
) -> FetchResult:
    """Fetch every work of `query` into `out` (JSON Lines, gzipped), resuming a started run.

    `progress(written, total)` is called after each page (total from the API's meta.count,
    capped by max_works)."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    spath = state_path(out)
    state = _load_state(spath, query, out)
    resumed = state is not None
    if state is None:
        if out.exists() and out.stat().st_size:
            raise FetchError(f"{out} exists without a resume state; give another --out")
        state = FetchState(query=query.identity())
    seen = existing_ids(out)
    state.written = len(seen)
    limit = query.max_works
    new = n_pages = n_retries = 0
    for page, retries in pages(client, query, state, max_retries, sleep):
        n_pages += 1
        n_retries += retries
        count = (page.get("meta") or {}).get("count")
        state.total = min(count, limit) if count is not None and limit else count
        works = [w for w in page["results"] if isinstance(w, dict) and w.get("id") not in seen]
        room = len(works) if limit is None else max(0, limit - state.written)
        cut = room < len(works)  # --max ends inside this page: resume from it, not after it
        works = works[:room]
        if works:
            _append(out, works)
            seen.update(w["id"] for w in works)
            state.written += len(works)
            new += len(works)
        next_cursor = (page.get("meta") or {}).get("next_cursor")
        if not cut:
            state.done = not page["results"] or not next_cursor
            state.cursor = next_cursor or state.cursor
        _save_state(spath, state)
        if progress is not None:
            progress(state.written, state.total)
        if limit is not None and state.written >= limit:
            break
    return FetchResult(state.written, new, n_pages, resumed, state.done, n_retries)
