"""The command line, called in-process as `main(argv)`."""

from __future__ import annotations

from fronts.cli import main
from fronts.store import connect, scalar


def test_ingest_prints_a_reconciled_summary_and_is_idempotent(tmp_path, fixtures_dir, capsys):
    db = tmp_path / "w.duckdb"
    files = [
        str(fixtures_dir / "wos" / "failures.txt"),
        str(fixtures_dir / "scopus" / "export_2024.csv"),
        str(fixtures_dir / "bibtex" / "broken.bib"),
    ]
    assert main(["ingest", *files, "--db", str(db), "--no-progress"]) == 0
    out = capsys.readouterr().out
    assert "read 3 file(s)" in out and "0 non-export file(s) skipped" in out
    assert "DOES NOT RECONCILE" not in out
    for source in ("wos", "scopus", "bibtex"):
        assert f"\n{source} " in out
    assert "quarantined: " in out and "missing title" in out
    con = connect(db)
    n_works = scalar(con, "SELECT count(*) FROM works")
    con.close()
    assert main(["ingest", *files, "--db", str(db), "--no-progress"]) == 0
    assert "3 file(s) unchanged" in capsys.readouterr().out
    con = connect(db)
    assert scalar(con, "SELECT count(*) FROM works") == n_works
    con.close()


def test_unknown_file_is_a_clear_error_exit_1(tmp_path, capsys):
    odd = tmp_path / "odd.txt"
    odd.write_text("not a bibliography\n")
    assert main(["ingest", str(odd), "--db", str(tmp_path / "w.duckdb"), "--no-progress"]) == 1
    err = capsys.readouterr().err
    assert "fronts ingest: error:" in err and "odd.txt" in err and "tried:" in err


def test_bad_config_names_the_key_and_is_a_usage_error(tmp_path, capsys):
    cfg = tmp_path / "bad.toml"
    cfg.write_text("[embed]\nbatch_size = 0\n")
    assert main(["show", "--config", str(cfg)]) == 2
    err = capsys.readouterr().err
    assert "key 'embed.batch_size'" in err and err.count("\n") == 1


def test_show_without_a_warehouse(tmp_path, capsys):
    assert main(["show", "--db", str(tmp_path / "none.duckdb")]) == 1
    assert "no warehouse" in capsys.readouterr().err
