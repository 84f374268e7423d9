"""Topics: cluster the works' embeddings with BERTopic and describe each cluster.

The pipeline is BERTopic's (Grootendorst 2022, arXiv:2203.05794): UMAP reduces the sentence
embeddings to a few dimensions (McInnes, Healy & Melville 2018, arXiv:1802.03426), HDBSCAN finds
dense clusters there and leaves the rest as outliers (Campello, Moulavi & Sander 2013,
doi:10.1007/978-3-642-37456-2_14; McInnes, Healy & Astels 2017, doi:10.21105/joss.00205), and
c-TF-IDF names the clusters (`fronts.labels`). The UMAP and HDBSCAN models, their seeded
consensus (`ConsensusClusterer`) and the 2-D map are built in `fronts.layouts` from the typed
config with the run's seed, so nothing falls back to a library default unnoticed. A size cap
(`hdbscan.max_cluster_share`) stops HDBSCAN's excess-of-mass choice from returning a whole
field as one topic, and a front the outlier policy grows past it is split where it has
sub-topics (`fronts.broad`).

After clustering, `reassign_outliers` caps the share of works left unassigned, and the topic
terms are recomputed on the final membership. Topic numbers are deterministic: 0 is the largest
topic, ties broken by the smallest work_id. Same inputs and seed give identical frames.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl

from fronts.broad import broad_reason, split_broad
from fronts.config import TopicsConfig
from fronts.coupling import hybrid_vectors
from fronts.errors import FrontsError
from fronts.labels import (
    N_CANDIDATES,
    TITLE_TEXTS,
    best_terms,
    class_tfidf,
    count_terms,
    distinguish_title,
    generic_phrases,
    generic_terms,
    make_label,
    make_title,
    rerank_keybert,
    rerank_mmr,
    sentence_term_embedder,
)
from fronts.layouts import (
    RELEASE_WORKERS_FROM,
    ConsensusClusterer,
    release_workers,
    resolve_max_cluster_size,
    resolve_min_cluster_size,
)
from fronts.schemas import DOC_TOPICS, OUTLIER, TOPICS
from fronts.vectors import centroids_of, unit_rows

_SIM_CHUNK = 8192  # rows of the outlier-to-centroid similarity computed at once (bounded memory)


@dataclass(frozen=True)
class TopicResult:
    """The topics of a run: one row per work, one row per topic, and the outlier accounting.

    `doc_topics` and `topics` have the columns of the warehouse tables of the same name minus
    run_id, sorted by work_id and by topic_id. `outlier_share_clustered` is the share of works
    in no cluster (HDBSCAN's outliers, less those a split front's clustering placed in one of its
    sub-fronts); `outlier_share` the share still unassigned after the outlier policy.
    """

    doc_topics: pl.DataFrame
    topics: pl.DataFrame
    outlier_share_clustered: float
    outlier_share: float
    n_topics: int


def reassign_outliers(
    unit: np.ndarray, labels: np.ndarray, work_ids: list[str], max_outlier_share: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Move outliers to their nearest topic until at most `max_outlier_share` of works remain.

    `unit` holds L2-normalised embeddings, `labels` the clustering (topics 0..K-1, -1 = outlier).
    Centroids are the normalised means of each topic's cluster members in the original embedding
    space. Each outlier's nearest centroid (cosine) is found; the most similar outliers are
    reassigned first (ties: smaller work_id) until floor(max_outlier_share * n) remain. This is
    BERTopic's `reduce_outliers(strategy="embeddings")` (cosine to the topics' mean embeddings)
    with a cap on the share left instead of a similarity threshold, computed in blocks so that
    memory stays O(block x K). BERTopic's default "distributions" strategy is the one reported
    to exhaust memory above ~20k documents (MaartenGr/BERTopic issue #1286); this one is
    O(n K) in time and never builds a document x document or document x token matrix.

    Returns (final labels, is_reassigned, similarity to the final topic's centroid, or for a
    remaining outlier to its nearest centroid).
    """
    n = len(labels)
    n_topics = int(labels.max()) + 1
    centroids = centroids_of(unit, labels, n_topics)
    nearest = np.where(labels >= 0, labels, 0)
    similarity = np.empty(n)
    for start in range(0, n, _SIM_CHUNK):
        block = slice(start, start + _SIM_CHUNK)
        sims = unit[block] @ centroids.T
        outlier = labels[block] < 0
        best = np.argmax(sims, axis=1)  # first index on ties: the larger topic
        nearest[block] = np.where(outlier, best, labels[block])
        similarity[block] = sims[np.arange(sims.shape[0]), nearest[block]]
    outliers = np.flatnonzero(labels < 0)
    keep = int(np.floor(max_outlier_share * n + 1e-9))
    n_move = max(0, len(outliers) - keep)
    ids = np.array(work_ids, dtype=object)[outliers]
    order = outliers[np.lexsort((ids, -similarity[outliers]))]
    moved = order[:n_move]
    final = labels.copy()
    final[moved] = nearest[moved]
    reassigned = np.zeros(n, dtype=bool)
    reassigned[moved] = True
    return final, reassigned, similarity


def _title(
    terms: list[str], texts: list[str], field: frozenset[str], leading: set[str], used: set[str]
) -> str | None:
    """The topic's title (`make_title`): no two led by the same phrase, and no two alike,
    where the terms allow; records its leading phrase in `leading` and the title in `used`."""
    taken = set(leading)
    title, lead = make_title(terms, texts, field, frozenset(taken))
    for _ in range(3):  # a title an earlier front has: lead with another phrase
        if title.lower() not in used or lead is None:
            break
        taken.add(lead)
        title, lead = make_title(terms, texts, field, frozenset(taken))
    if lead is not None:
        leading.add(lead)
    if title:
        title = distinguish_title(title, terms, texts, used)
        used.add(title.lower())
    return title or None


def _similarity_to_topic(unit: np.ndarray, final: np.ndarray, core: np.ndarray) -> np.ndarray:
    """Cosine of each work to its topic's core centroid (an outlier: to the nearest one)."""
    centroids = centroids_of(unit, core, int(final.max()) + 1)
    sims = unit @ centroids.T
    nearest = np.argmax(sims, axis=1)
    topic = np.where(final >= 0, final, nearest)
    return sims[np.arange(unit.shape[0]), topic]


def _renumber(labels: np.ndarray) -> np.ndarray:
    """Topics 0..K-1 by final size descending, ties by the smallest work_id in the topic.

    `labels` must be in work_id order, so a topic's first position is its smallest work_id.
    """
    topics, first, size = np.unique(labels[labels >= 0], return_index=True, return_counts=True)
    first = np.flatnonzero(labels >= 0)[first]
    order = topics[np.lexsort((first, -size))]
    mapping = np.full(int(topics.max()) + 1, OUTLIER)
    mapping[order] = np.arange(len(order))
    return np.where(labels >= 0, mapping[np.maximum(labels, 0)], OUTLIER)


def _cluster(
    texts: list[str],
    embeddings: np.ndarray,
    config: TopicsConfig,
    seed: int,
    min_cluster_size: int,
    progress: bool = False,
    shards: Any = None,
) -> tuple[np.ndarray, ConsensusClusterer]:
    """BERTopic's fit with the consensus cluster model. Returns the labels and the clusterer."""
    from fronts.bertopic_import import import_bertopic

    BaseDimensionalityReduction = import_bertopic().dimensionality.BaseDimensionalityReduction
    clusterer = ConsensusClusterer(
        config, seed, min_cluster_size, with_map=True, progress=progress, shards=shards
    )
    model = _labels_only_bertopic()(
        # The vectors are given: BERTopic needs no model (and would not accept an ONNX encoder).
        # language=None keeps its class documents as written: with "english", its default
        # without a model, it strips non-ASCII from them.
        embedding_model=None,
        language=None,
        # Each consensus fit runs its own seeded UMAP, so BERTopic's reduction step is skipped.
        umap_model=BaseDimensionalityReduction(),
        hdbscan_model=clusterer,
        representation_model=None,
        calculate_probabilities=False,
        verbose=False,
    )
    labels, _ = model.fit_transform(texts, embeddings=embeddings)
    return np.asarray(labels, dtype=np.int64), clusterer


def _labels_only_bertopic() -> type:
    """BERTopic that stops at the topic of each document.

    Its fit would go on to c-TF-IDF terms, topic vectors and representative documents, all
    discarded here: `fit_topics` describes the topics after the outlier policy and the split of
    broad fronts have changed their members. Measured at 6,000 works, the saving is within the
    noise (37.7 s with them, 37.8 s without; docs/benchmarks.md, *Topics stage*): this is about
    not computing what is thrown away. bertopic is pinned, so these two hooks stay put.
    """
    from fronts.bertopic_import import import_bertopic

    class LabelsOnlyBERTopic(import_bertopic().BERTopic):
        def _extract_topics(self, *args: Any, **kwargs: Any) -> None:
            self.topic_representations_ = {}

        def _save_representative_docs(self, *args: Any, **kwargs: Any) -> None:
            self.representative_docs_ = {}

    return LabelsOnlyBERTopic


def _check_inputs(work_ids: list[str], texts: list[str], embeddings: np.ndarray) -> None:
    if not (len(work_ids) == len(texts) == embeddings.shape[0]):
        raise FrontsError(
            f"fit_topics: {len(work_ids)} work ids, {len(texts)} texts and "
            f"{embeddings.shape[0]} embeddings; they must be aligned"
        )
    if len(set(work_ids)) != len(work_ids):
        raise FrontsError("fit_topics: work ids are not unique")
    if embeddings.ndim != 2 or not np.isfinite(embeddings).all():
        raise FrontsError("fit_topics: embeddings must be a finite 2-D matrix")


def fit_topics(
    work_ids: list[str],
    texts: list[str],
    embeddings: np.ndarray,
    config: TopicsConfig,
    seed: int,
    embedding_model: Any,
    coupling: np.ndarray | None = None,
    progress: bool = False,
    shards: Any = None,
) -> TopicResult:
    """Cluster works into topics and describe them (BERTopic, Grootendorst 2022).

    `texts[i]` and `embeddings[i]` belong to `work_ids[i]`; `embedding_model` is the loaded
    encoder that made the embeddings (`fronts.embed.load_model`; it embeds the candidate terms;
    never a model name, so nothing is fetched). `progress` shows a bar of the layouts;
    `shards` (`fronts.scale.shard_runner`) runs the consensus fits and the map on a cluster.
    `coupling[i]`, when given, is the work's bibliographic
    coupling vector (`fronts.coupling`): the clustering then runs on the hybrid vectors with
    weight `config.coupling.weight`, while similarities, centroids and terms stay on the text.
    Inputs are put in work_id order first, so the result does not depend on the order they come
    in. Raises FrontsError when there are too few works to cluster or when HDBSCAN finds no
    cluster.
    """
    _check_inputs(work_ids, texts, embeddings)
    n = len(work_ids)
    order = sorted(range(n), key=work_ids.__getitem__)
    ids = [work_ids[i] for i in order]
    docs = [texts[i] for i in order]
    vectors = np.asarray(embeddings, dtype=np.float64)[order]
    unit = unit_rows(vectors)
    hybrid = coupling is not None and config.coupling.weight > 0
    if hybrid:
        if coupling.shape[0] != n:
            raise FrontsError(f"fit_topics: {coupling.shape[0]} coupling vectors for {n} works")
        clustered_space = hybrid_vectors(vectors, coupling[order], config.coupling.weight)
    else:
        clustered_space = vectors.astype(np.float32)
    del vectors  # 180 MB at 60,000 works, held through the whole fit otherwise

    mcs = resolve_min_cluster_size(n, config)
    needed = max(3 * mcs, config.umap.n_neighbors + 1)
    if n < needed:
        raise FrontsError(
            f"{n} works are too few to find topics: with hdbscan.min_cluster_size={mcs} and "
            f"umap.n_neighbors={config.umap.n_neighbors} at least {needed} are needed; "
            "widen the window or lower those settings"
        )
    clustered, clusterer = _cluster(docs, clustered_space, config, seed, mcs, progress, shards)
    if (clustered < 0).all():
        raise FrontsError(
            f"HDBSCAN found no cluster among {n} works with min_cluster_size={mcs} (in the "
            f"majority of {clusterer.runs_} fits); set a smaller hdbscan.min_cluster_size "
            "(or hdbscan.min_samples) in the configuration"
        )
    # Outliers join the nearest cluster in the space the clusters were found in; a work's
    # similarity to its topic is always the text's (what the indicators and reader use).
    final, reassigned, similarity = reassign_outliers(
        unit_rows(clustered_space) if hybrid else unit, clustered, ids, config.max_outlier_share
    )
    if hybrid:
        similarity = _similarity_to_topic(unit, final, np.where(reassigned, OUTLIER, final))
    # A front is judged broad as the reader sees it, with its assigned works: that is where a
    # small corpus's fronts grow past the cap (the clustering leaves most works unassigned).
    cap = resolve_max_cluster_size(n, mcs, config)
    if config.hdbscan.split_broad and cap > 0:
        split, core_works = split_broad(
            clustered_space, final, (final >= 0) & ~reassigned, config, seed, mcs, cap
        )
        if not np.array_equal(split, final):
            final, reassigned = split, (split >= 0) & ~core_works
            similarity = _similarity_to_topic(unit, final, np.where(reassigned, OUTLIER, final))
    if n >= RELEASE_WORKERS_FROM and shards is None:
        release_workers()  # the layouts are done; what follows runs in this process
    final = _renumber(final)
    core = np.where(reassigned, OUTLIER, final)  # cluster members under the new numbering
    n_topics = int(final.max()) + 1
    centroids = centroids_of(unit, core, n_topics)

    # Counted after the clustering, not before: at 70,000 works the counts and their
    # vocabulary (1.4 million terms) held the main process ~500 MB higher while the fits ran,
    # the run's peak (docs/benchmarks.md, 60,000 works). min_df counts works; a threshold above
    # half the smallest topic could erase a topic's terms.
    min_df = min(config.min_df, max(1, mcs // 2))
    counts, vocabulary = count_terms(docs, config.ngram_max, min_df)
    classes = np.unique(final)  # -1 (if any) is a class of its own, as in BERTopic
    scores = class_tfidf(counts, final, classes)
    per_class = dict(zip(classes.tolist(), range(len(classes)), strict=True))
    topic_rows = scores[[per_class[t] for t in range(n_topics)]]
    top_terms = best_terms(topic_rows, vocabulary, config.n_terms)
    candidates = best_terms(topic_rows, vocabulary, max(N_CANDIDATES, config.n_terms))
    embed = sentence_term_embedder(embedding_model)
    rerank = rerank_keybert if config.representation == "keybert" else rerank_mmr
    representation = rerank(candidates, centroids, embed, config.n_terms)

    coords = clusterer.map_  # laid out beside the consensus fits
    generic = generic_terms(representation)
    id_array = np.array(ids, dtype=object)
    cap_share = config.hdbscan.max_cluster_share
    field_phrases = generic_phrases(representation)
    leading: set[str] = set()  # phrases that lead a larger front's title
    used: set[str] = set()  # titles given so far
    topic_rows_out = []
    for t in range(n_topics):
        members = np.flatnonzero(core == t)
        best = members[np.lexsort((id_array[members], -similarity[members]))]
        topic_rows_out.append(
            {
                "topic_id": t,
                "label": make_label(representation[t] or top_terms[t], generic=generic)
                or f"topic {t}",
                "title": _title(
                    representation[t] or top_terms[t],
                    [docs[i] for i in best[:TITLE_TEXTS]],
                    field_phrases,
                    leading,
                    used,
                ),
                "top_terms": top_terms[t],
                "representation": representation[t],
                "size": int((final == t).sum()),
                "n_core": len(members),
                "representative_work_ids": id_array[best[: config.n_representatives]].tolist(),
                "broad": broad_reason(int((final == t).sum()), n, cap_share, mcs),
            }
        )
    # Similarity of each work to its final topic's centroid; a reassigned work was compared
    # with the cluster centroids already, and renumbering does not move a centroid.
    assignment = np.where(reassigned, "reassigned", np.where(final < 0, "outlier", "cluster"))
    doc_topics = pl.DataFrame(
        {
            "work_id": ids,
            "topic_id": final,
            "assignment": assignment.tolist(),
            "similarity": similarity,
            "x": coords[:, 0],
            "y": coords[:, 1],
        },
        schema={k: v for k, v in DOC_TOPICS.schema.items() if k != "run_id"},
    )
    topics = pl.DataFrame(
        topic_rows_out, schema={k: v for k, v in TOPICS.schema.items() if k != "run_id"}
    )
    return TopicResult(
        doc_topics=doc_topics.sort("work_id"),
        topics=topics.sort("topic_id"),
        # in no cluster of the corpus's clustering nor of a split front's
        outlier_share_clustered=float((core < 0).mean()),
        outlier_share=float((final < 0).mean()),
        n_topics=n_topics,
    )
