"""`fronts fetch openalex` against a real HTTP server on loopback (pytest-httpserver) serving
pages of the API's shape: cursor paging, the polite pool, 429 and 500 retried, a cut page
retried, resuming after a failure without writing a work twice, and the output ingested."""

from __future__ import annotations

import gzip
import json
from collections import Counter
from pathlib import Path

import httpx
import pytest
from werkzeug import Request, Response

from fronts.cli import main
from fronts.config import IngestConfig
from fronts.fetch import FetchError, FetchQuery, fetch_openalex, state_path
from fronts.ingest.detect import read_file

N_WORKS, PER_PAGE = 25, 10  # the server pages by 10 whatever is asked: 3 pages


def work(i: int) -> dict:
    return {
        "id": f"https://openalex.org/W{1000 + i}",
        "doi": f"https://doi.org/10.5555/fetch.{i}",
        "title": f"Digital education study {i}",
        "publication_year": 2019 + i % 6,
        "type": "article",
        "abstract_inverted_index": {"Teachers": [0], "learn": [1], "online": [2]},
        "counts_by_year": [{"year": 2024, "cited_by_count": i % 3}],
        "referenced_works": [f"https://openalex.org/W{1000 + (i + 1) % N_WORKS}"],
        "authorships": [{"author": {"display_name": "Ana Li"}}],
        "cited_by_count": i % 3,
    }


class Api:
    """The /works endpoint: cursors '*', 'c10', 'c20'; `faults` maps a cursor to the responses
    to give before the real page ('429', '500', 'cut'); every request is logged."""

    def __init__(self, faults: dict[str, list[str]] | None = None, broken_after: int = 99):
        self.faults = {k: list(v) for k, v in (faults or {}).items()}
        self.broken_after = broken_after  # pages served before every request fails with 500
        self.requests: list[dict[str, str]] = []
        self.served = 0

    def __call__(self, request: Request) -> Response:
        args = dict(request.args)
        self.requests.append(args)
        cursor = args.get("cursor", "")
        pending = self.faults.get(cursor)
        if pending:
            fault = pending.pop(0)
            if fault == "429":
                return Response("slow down", status=429, headers={"Retry-After": "1"})
            if fault == "500":
                return Response("oops", status=500)
            if fault == "cut":
                return Response('{"meta": {"count": 25, "next_cursor": "c1', status=200)
        if self.served >= self.broken_after:
            return Response("down", status=500)
        start = 0 if cursor == "*" else int(cursor[1:])
        results = [work(i) for i in range(start, min(start + PER_PAGE, N_WORKS))]
        nxt = f"c{start + PER_PAGE}" if start + PER_PAGE < N_WORKS else None
        self.served += 1
        body = {
            "meta": {"count": N_WORKS, "next_cursor": nxt, "per_page": PER_PAGE},
            "results": results,
        }
        return Response(json.dumps(body), status=200, content_type="application/json")


def ids_in(path: Path) -> list[str]:
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        return [json.loads(line)["id"] for line in fh]


def run(httpserver, api: Api, out: Path, **kw) -> tuple:
    httpserver.expect_request("/works").respond_with_handler(api)
    query = FetchQuery(
        search="digital education",
        year_from=2019,
        year_to=2024,
        email="ana@example.org",
        api_url=httpserver.url_for(""),
        **kw,
    )
    waits: list[float] = []
    with httpx.Client(timeout=10) as client:
        result = fetch_openalex(query, out, client, max_retries=3, sleep=waits.append)
    return result, waits


def test_pages_through_the_cursor_with_the_polite_pool(httpserver, tmp_path):
    api = Api()
    out = tmp_path / "corpus.jsonl.gz"
    result, waits = run(httpserver, api, out)
    assert (result.written, result.new, result.pages, result.done) == (25, 25, 3, True)
    assert ids_in(out) == [f"https://openalex.org/W{1000 + i}" for i in range(25)]
    assert [r["cursor"] for r in api.requests] == ["*", "c10", "c20"]
    first = api.requests[0]
    assert first["mailto"] == "ana@example.org" and first["search"] == "digital education"
    assert first["filter"] == "publication_year:2019-2024" and first["per-page"] == "200"
    assert waits == []
    assert json.loads(state_path(out).read_text())["done"] is True


def test_429_500_and_a_cut_page_are_retried_with_backoff(httpserver, tmp_path):
    api = Api(faults={"*": ["429"], "c10": ["500", "cut"]})
    out = tmp_path / "corpus.jsonl.gz"
    result, waits = run(httpserver, api, out)
    assert result.written == 25 and result.retries == 3
    assert waits == [1.0, 1.0, 2.0]  # Retry-After, then 1 s and 2 s of backoff
    assert len(ids_in(out)) == len(set(ids_in(out))) == 25


def test_a_failure_is_resumed_without_writing_a_work_twice(httpserver, tmp_path):
    out = tmp_path / "corpus.jsonl.gz"
    with pytest.raises(FetchError, match="HTTP 500 after 4 tries at cursor 'c20'"):
        run(httpserver, Api(broken_after=2), out)
    assert len(ids_in(out)) == 20
    httpserver.clear()
    api = Api()
    result, _ = run(httpserver, api, out)
    assert result.resumed and result.new == 5 and result.written == 25
    assert [r["cursor"] for r in api.requests] == ["c20"]  # continued, not restarted
    assert max(Counter(ids_in(out)).values()) == 1


def test_a_crash_between_writing_and_saving_the_cursor_writes_nothing_twice(httpserver, tmp_path):
    out = tmp_path / "corpus.jsonl.gz"
    run(httpserver, Api(), out, max_works=10)  # one page, cursor saved at c10
    state = json.loads(state_path(out).read_text())
    state["cursor"] = "*"  # as if the process died before the cursor was saved
    state_path(out).write_text(json.dumps(state))
    with open(out, "ab") as fh:  # and a gzip member it was writing was cut
        fh.write(gzip.compress(b'{"id": "https://openalex.org/W1010"}\n')[:15])
    httpserver.clear()
    result, _ = run(httpserver, Api(), out)
    assert result.written == 25 and max(Counter(ids_in(out)).values()) == 1


def test_max_stops_early_and_another_query_is_refused(httpserver, tmp_path):
    out = tmp_path / "corpus.jsonl.gz"
    result, _ = run(httpserver, Api(), out, max_works=12)
    assert (result.written, result.done) == (12, False)
    httpserver.clear()
    httpserver.expect_request("/works").respond_with_handler(Api())
    other = FetchQuery(search="quantum", api_url=httpserver.url_for(""))
    with httpx.Client() as client, pytest.raises(FetchError, match="started by another query"):
        fetch_openalex(other, out, client)


def test_the_output_is_what_fronts_ingest_reads(httpserver, tmp_path):
    out = tmp_path / "corpus.jsonl.gz"
    run(httpserver, Api(), out)
    result = read_file(out, IngestConfig())
    assert (result.source, result.records.height, result.quarantine.height) == ("openalex", 25, 0)
    first = result.records.row(0, named=True)
    assert first["abstract"] == "Teachers learn online" and first["cited_refs"] == ["W1001"]
    assert first["citations_by_year"] == [{"year": 2024, "count": 0}]


def test_cli_fetch_and_its_one_line_errors(httpserver, tmp_path, capsys):
    httpserver.expect_request("/works").respond_with_handler(Api())
    out = tmp_path / "cli.jsonl.gz"
    base = ["fetch", "openalex", "--out", str(out), "--api-url", httpserver.url_for("")]
    assert main([*base, "--search", "digital education", "--max", "15", "--no-progress"]) == 0
    assert "15 new work(s), 15 in" in capsys.readouterr().out
    assert main([*base, "--search", "digital education", "--no-progress"]) == 0
    assert capsys.readouterr().out.startswith("resumed; 10 new work(s), 25 in")
    assert main([*base]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "--search" in err[0]
    assert main([*base, "--search", "quantum", "--no-progress"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "started by another query" in err[0]
