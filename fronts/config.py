"""The one typed configuration of a run, validated at load time.

A TOML file maps onto `RunConfig`; every section is optional and every key has a documented
default, so `fronts run corpus/*.txt` needs no file at all. Unknown keys are errors (a typo must
not silently fall back to a default).
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from fronts.errors import ConfigError

RECORD_FIELDS = (
    "source_id",
    "doi",
    "title",
    "abstract",
    "year",
    "venue",
    "volume",
    "first_page",
    "doc_type",
    "language",
    "authors",
    "affiliations",
    "countries",
    "author_keywords",
    "cited_refs",
    "times_cited",
)


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class TabularConfig(_Section):
    """How to read a plain CSV or Parquet file: which source column holds which field."""

    columns: dict[str, str] = Field(
        default_factory=dict,
        description="record field -> column name in the file, e.g. {title = 'Article Title'}",
    )
    list_separator: str = Field(default=";", min_length=1, description="separator in list cells")
    delimiter: str = Field(default=",", min_length=1, max_length=1, description="CSV delimiter")

    @field_validator("columns")
    @classmethod
    def _known_fields(cls, value: dict[str, str]) -> dict[str, str]:
        unknown = sorted(set(value) - set(RECORD_FIELDS))
        if unknown:
            raise ValueError(f"unknown record fields {unknown}; expected some of {RECORD_FIELDS}")
        if value and "title" not in value:
            raise ValueError("a column mapping must name the 'title' column")
        return value


class IngestConfig(_Section):
    paths: list[Path] = Field(default_factory=list, description="corpus files (any format)")
    tabular: TabularConfig = Field(default_factory=TabularConfig)
    min_year: int = Field(default=1800, ge=1000, description="earlier years are impossible")
    max_year_ahead: int = Field(
        default=1, ge=0, le=5, description="years after the current one still accepted"
    )


class RunConfig(_Section):
    """Everything a run needs; passed down explicitly, never read from a global."""

    db: Path = Field(default=Path("data/fronts.duckdb"), description="DuckDB warehouse")
    seed: int = Field(default=42, ge=0, description="seed for every random step")
    ingest: IngestConfig = Field(default_factory=IngestConfig)


def _format_error(err: dict[str, Any], source: str) -> str:
    key = ".".join(str(p) for p in err["loc"]) or "(top level)"
    got = err.get("input")
    got_text = "" if isinstance(got, dict) else f"; got {got!r}"
    return f"{source}: key '{key}': {err['msg']}{got_text}"


def config_from_dict(data: dict[str, Any], source: str = "configuration") -> RunConfig:
    """Validate a plain mapping into a `RunConfig`, raising `ConfigError` naming the bad key."""
    try:
        return RunConfig.model_validate(data)
    except ValidationError as exc:
        messages = [_format_error(e, source) for e in exc.errors()]
        raise ConfigError("\n".join(messages)) from None


def load_config(path: str | Path | None = None, **overrides: Any) -> RunConfig:
    """Load a TOML file (or the defaults when `path` is None) and apply top-level overrides.

    Overrides use dotted keys for nested values: ``load_config(p, **{"ingest.paths": [...]})``.
    """
    data: dict[str, Any] = {}
    source = "defaults"
    if path is not None:
        path = Path(path)
        source = str(path)
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ConfigError(f"{path}: configuration file not found") from None
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    for dotted, value in overrides.items():
        if value is None:
            continue
        node = data
        *parents, leaf = dotted.split(".")
        for key in parents:
            node = node.setdefault(key, {})
        node[leaf] = value
    return config_from_dict(data, source)
