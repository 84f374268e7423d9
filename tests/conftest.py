"""Shared fixtures: the real corpora beside the project, and quiet offline settings."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")

FIXTURES = Path(__file__).parent / "fixtures"
SHARED_CORPORA = Path(
    os.environ.get(
        "FRONTS_SHARED_CORPORA", Path(__file__).resolve().parents[2] / "shared" / "corpora"
    )
)


@pytest.fixture(scope="session")
def fixtures_dir() -> Path:
    return FIXTURES


@pytest.fixture(scope="session")
def shared_corpora() -> Path:
    """Path of ../shared/corpora; tests using it skip (with the reason) on a bare clone.

    CI sets FRONTS_REQUIRE_SHARED=1 so that a missing folder fails instead of skipping.
    """
    if not SHARED_CORPORA.is_dir():
        reason = f"real corpora not found at {SHARED_CORPORA} (set FRONTS_SHARED_CORPORA)"
        if os.environ.get("FRONTS_REQUIRE_SHARED") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    return SHARED_CORPORA
