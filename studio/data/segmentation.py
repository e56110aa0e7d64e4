"""Customer segmentation: cluster the feature matrix, profile, name and store each run.

A run is never edited after it is written: re-segmenting creates a new
``segmentation_runs`` row with new ``segments`` rows, so a campaign that points at an
older run keeps exactly the segments (and members) it was planned with.

One module because clustering, profiling, naming and storing a run are one
procedure whose steps pass the same arrays along.

Writes the tables `segmentation_runs`, `segments`, `segment_members` (their schema is in
:mod:`studio.storage.migrations`).
"""

from __future__ import annotations

import json
import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from studio.core.errors import NotEnoughData, NotFound, StudioError
from studio.core.progress import Progress
from studio.data.features import (
    CustomerFeatures,
    WorkspaceData,
    build_features,
    iso_day,
    load_workspace_data,
)
from studio.data.naming import (
    MIN_HISTORY_DAYS,
    PROSPECTS_NAME,
    RETURNED_NAME,
    describe_prospects,
    describe_returned,
    name_segments,
)
from studio.storage.workspace import Workspace, to_json, utcnow

METHODS = ("kmeans", "gmm")
#: automatic k is searched in this range (capped by the data), inclusive
AUTO_K_RANGE = (3, 8)
MAX_K = 30
#: fewest customers with orders that a clustering can describe meaningfully
MIN_CUSTOMERS = 20
#: a segment should have at least this many customers on average
MIN_CUSTOMERS_PER_SEGMENT = 5
#: above this many rows KMeans runs as MiniBatchKMeans; below it, measured on 2 cores,
#: Lloyd's KMeans is as fast and finds tighter segments
MINIBATCH_THRESHOLD = 200_000
#: candidate models for choosing k are fitted on a sample of this size …
SELECTION_SAMPLE = 20_000
#: … and scored with the silhouette on a smaller one (silhouette is quadratic)
SILHOUETTE_SAMPLE = 3_000
#: a mixture is fitted on at most this many rows, then assigns everyone
GMM_FIT_SAMPLE = 100_000
#: below this share of repeat customers, loyalty and frequency segments are guesses
MIN_REPEAT_SHARE = 0.10
#: below this many customers with orders, segments move a lot as data is added
FEW_BUYERS = 200


def _report(progress: Progress | None, description: str, fraction: float | None) -> None:
    if progress is not None:
        progress(description, fraction)


# --- clustering on a matrix (no workspace: the benchmark calls these directly) ----------


@dataclass
class Clustering:
    labels: np.ndarray  # int, 0 = largest segment
    closeness: np.ndarray  # float in (0, 1]: how typical each member is of its segment
    k: int
    metrics: dict[str, Any] = field(default_factory=dict)


def k_bounds(n_rows: int) -> tuple[int, int]:
    """The automatic search range for k, shrunk for small data."""
    high = min(AUTO_K_RANGE[1], n_rows // MIN_CUSTOMERS_PER_SEGMENT)
    low = min(AUTO_K_RANGE[0], high)
    return low, high


def _sample(n_rows: int, size: int, rng: np.random.Generator) -> np.ndarray:
    if n_rows <= size:
        return np.arange(n_rows)
    return np.sort(rng.choice(n_rows, size=size, replace=False))


def _estimator(method: str, k: int, seed: int, n_rows: int):
    from sklearn.cluster import KMeans, MiniBatchKMeans
    from sklearn.mixture import GaussianMixture

    if method == "gmm":
        # reg_covar keeps covariances invertible when one-hot columns are near-constant
        return GaussianMixture(k, covariance_type="full", reg_covar=1e-3, random_state=seed)
    if n_rows > MINIBATCH_THRESHOLD:
        # tol stops once the centres settle; without it the early stop waits on a noisy
        # inertia and took 4-7 times longer on 1 M customers for the same segments
        return MiniBatchKMeans(k, batch_size=4096, n_init=3, tol=1e-4, random_state=seed)
    return KMeans(k, n_init=4, random_state=seed)


def choose_k(
    matrix: np.ndarray, method: str, seed: int, progress: Progress | None = None
) -> tuple[int, dict[str, float]]:
    """Pick k by silhouette (KMeans) or BIC (mixtures) on a sample of the rows."""
    from sklearn.metrics import silhouette_score

    rng = np.random.default_rng(seed)
    fit_rows = matrix[_sample(len(matrix), SELECTION_SAMPLE, rng)]
    low, high = k_bounds(len(matrix))
    distinct = len(np.unique(fit_rows, axis=0))
    high = min(high, distinct)
    if high < 2:
        raise NotEnoughData(
            f"The customers' order histories are too alike to split ({distinct} distinct "
            "profile(s)).",
            hint="import more varied order history",
        )
    low = min(low, high)
    scores: dict[str, float] = {}
    for step, k in enumerate(range(low, high + 1)):
        _report(progress, f"Trying {k} segments", 0.1 + 0.5 * step / (high - low + 1))
        model = _estimator(method, k, seed, len(fit_rows))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # convergence chatter on tiny samples
            labels = model.fit_predict(fit_rows)
        if method == "gmm":
            scores[str(k)] = float(model.bic(fit_rows))
        elif len(np.unique(labels)) < 2:
            scores[str(k)] = -1.0
        else:
            scores[str(k)] = float(
                silhouette_score(
                    fit_rows,
                    labels,
                    sample_size=min(SILHOUETTE_SAMPLE, len(fit_rows)),
                    random_state=seed,
                )
            )
    # lower BIC is better, higher silhouette is better; ties go to the smaller k
    sign = 1.0 if method == "gmm" else -1.0
    best = min(scores, key=lambda key: (sign * scores[key], int(key)))
    return int(best), scores


def cluster(
    matrix: np.ndarray,
    *,
    k: int | None = None,
    method: str = "kmeans",
    seed: int = 0,
    progress: Progress | None = None,
) -> Clustering:
    """Cluster rows of a scaled feature matrix; deterministic for a seed."""
    from threadpoolctl import threadpool_limits

    # multi-threaded BLAS on these narrow matrices mostly spins: a mixture fit took 45 times
    # the CPU time of a single-threaded one on 2 cores (KMeans has its own OpenMP threads)
    with threadpool_limits(limits=1, user_api="blas"):
        return _cluster(matrix, k, method, seed, progress)


def _cluster(
    matrix: np.ndarray, k: int | None, method: str, seed: int, progress: Progress | None
) -> Clustering:
    if method not in METHODS:
        raise StudioError(f"Unknown segmentation method {method!r}.", hint="use kmeans or gmm")
    n_rows = len(matrix)
    if n_rows < MIN_CUSTOMERS:
        raise NotEnoughData(
            f"Only {n_rows} customers have orders; segmentation needs at least {MIN_CUSTOMERS}.",
            hint="import more customers and orders",
        )
    metrics: dict[str, Any] = {}
    if k is None:
        k, metrics["k_scores"] = choose_k(matrix, method, seed, progress)
        metrics["k_selection"] = "bic" if method == "gmm" else "silhouette"
    elif not 2 <= k <= MAX_K:
        raise StudioError(f"The number of segments must be between 2 and {MAX_K} (got {k}).")
    elif k * MIN_CUSTOMERS_PER_SEGMENT > n_rows:
        raise NotEnoughData(
            f"{k} segments need at least {k * MIN_CUSTOMERS_PER_SEGMENT} customers with orders; "
            f"there are {n_rows}.",
            hint=f"use at most --k {n_rows // MIN_CUSTOMERS_PER_SEGMENT}",
        )

    _report(progress, f"Fitting {k} segments", 0.65)
    rng = np.random.default_rng(seed)
    model = _estimator(method, k, seed, n_rows)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if method == "gmm":
            model.fit(matrix[_sample(n_rows, GMM_FIT_SAMPLE, rng)])
            probabilities = model.predict_proba(matrix)
            raw_labels = probabilities.argmax(axis=1)
            closeness = probabilities.max(axis=1)
            metrics["bic"] = float(model.bic(matrix[_sample(n_rows, SELECTION_SAMPLE, rng)]))
        else:
            raw_labels = model.fit(matrix).labels_
            distance = np.linalg.norm(matrix - model.cluster_centers_[raw_labels], axis=1)
            closeness = 1.0 / (1.0 + distance)
            metrics["inertia"] = float(model.inertia_)
    metrics["estimator"] = type(model).__name__

    labels = _by_size(raw_labels, k)
    if len(np.unique(labels)) < k:
        raise NotEnoughData(
            f"Only {len(np.unique(labels))} distinct groups exist in this data; "
            f"{k} segments were asked for.",
            hint="use a smaller --k or let the studio choose",
        )
    metrics["silhouette"] = _silhouette(matrix, labels, seed)
    return Clustering(labels, closeness.astype(np.float64), k, metrics)


def _by_size(labels: np.ndarray, k: int) -> np.ndarray:
    """Relabel so segment 0 is the largest: stable numbering across equal runs."""
    counts = np.bincount(labels, minlength=k)
    order = np.lexsort((np.arange(k), -counts))
    mapping = np.empty(k, dtype=np.int64)
    mapping[order] = np.arange(k)
    return mapping[labels]


def _silhouette(matrix: np.ndarray, labels: np.ndarray, seed: int) -> float | None:
    from sklearn.metrics import silhouette_score

    if len(np.unique(labels)) < 2:
        return None
    return round(
        float(
            silhouette_score(
                matrix,
                labels,
                sample_size=min(SILHOUETTE_SAMPLE, len(matrix)),
                random_state=seed,
            )
        ),
        4,
    )


# --- profiles: the statistics a segment is described by ----------------------------------


def segment_profile(
    data: WorkspaceData, features: CustomerFeatures, members: np.ndarray
) -> dict[str, Any]:
    """Size, revenue share and key statistics of ``members`` (bool mask) vs everyone."""
    values = features.values
    spend_total = float(values["spend"].sum())
    buyers = members & features.has_orders

    def summary(mask: np.ndarray) -> dict[str, float | None]:
        with_orders = mask & features.has_orders
        if not with_orders.any():
            return dict.fromkeys(
                ("spend_mean", "orders_mean", "avg_basket_mean", "recency_median",
                 "tenure_median", "discount_share_mean", "one_time_share"),
                None,
            )  # fmt: skip
        return {
            "spend_mean": _round(values["spend"][with_orders].mean()),
            "orders_mean": _round(values["orders"][with_orders].mean()),
            "avg_basket_mean": _round(values["avg_basket"][with_orders].mean()),
            "recency_median": _round(np.median(values["recency_days"][with_orders])),
            "tenure_median": _round(np.nanmedian(values["tenure_days"][with_orders])),
            "discount_share_mean": _round(values["discount_share"][with_orders].mean()),
            "one_time_share": _round((values["orders"][with_orders] == 1).mean()),
        }

    everyone = np.ones_like(members)
    segment_spend = values["spend"][members]
    by_category = features.category_share * values["spend"][:, None]
    overall_mix = _shares(by_category.sum(axis=0))
    segment_mix = _shares(by_category[members].sum(axis=0))
    categories = sorted(
        (
            {"name": name, "share": _round(segment_mix[i]), "overall": _round(overall_mix[i])}
            for i, name in enumerate(features.categories)
        ),
        key=lambda c: (-(c["share"] or 0), c["name"]),
    )
    attributes = {}
    for attribute, column in data.customers.categorical.items():
        if not (column[members] != "").any():
            continue
        levels, counts = np.unique(column[members][column[members] != ""], return_counts=True)
        top = int(np.lexsort((levels, -counts))[0])
        attributes[attribute] = {
            "value": str(levels[top]),
            "share": _round(counts[top] / members.sum()),
            "overall": _round((column == levels[top]).mean()),
        }
    return {
        "size": int(members.sum()),
        "customer_share": _round(members.mean()) if members.size else 0.0,
        "with_orders": int(buyers.sum()),
        "revenue": _round(segment_spend.sum()),
        "revenue_share": _round(segment_spend.sum() / spend_total) if spend_total > 0 else 0.0,
        "segment": summary(members),
        "overall": summary(everyone),
        "categories": categories[:3],
        "attributes": attributes,
        "currency": data.currency,
        "as_of": iso_day(features.as_of_day),
        "history_days": data.history_days,
    }


def _shares(totals: np.ndarray) -> np.ndarray:
    total = totals.sum()
    return totals / total if total > 0 else np.zeros_like(totals)


def _round(value: float) -> float | None:
    """JSON-safe rounding: NaN and infinities become None, never 'NaN' in the UI."""
    value = float(value)
    return round(value, 4) if np.isfinite(value) else None


def data_warnings(data: WorkspaceData, features: CustomerFeatures) -> list[str]:
    """What makes these segments less trustworthy, in plain words, with what would help."""
    warnings = []
    if data.history_days < MIN_HISTORY_DAYS:
        warnings.append(
            f"The orders cover only {data.history_days + 1} days "
            f"({iso_day(data.first_day or 0)} to {iso_day(data.last_day or 0)}): too short to "
            "tell new, regular or lapsed customers apart, so recency and tenure are left out "
            f"and no segment is called new or lapsed. Import at least {MIN_HISTORY_DAYS} days "
            "of orders (a year shows seasons too)."
        )
    buyers = int(features.has_orders.sum())
    repeat = float((features.values["orders"][features.has_orders] > 1).mean()) if buyers else 0
    if buyers and repeat < MIN_REPEAT_SHARE:
        warnings.append(
            f"Only {repeat:.0%} of customers ordered more than once, so loyalty and "
            "frequency say little yet; a longer history brings the repeat customers in."
        )
    if buyers < FEW_BUYERS:
        warnings.append(
            f"Only {buyers:,} customers have orders: segments this small shift a lot as "
            f"orders come in. Treat them as a first look until about {FEW_BUYERS:,} customers "
            "have ordered."
        )
    return warnings


# --- runs in a workspace -------------------------------------------------------------------


def run_segmentation(
    ws: Workspace,
    *,
    k: int | None = None,
    method: str = "kmeans",
    seed: int = 0,
    progress: Progress | None = None,
) -> int:
    """Segment the workspace's customers and store the run; returns the run id.

    Customers without orders are kept out of the clustering and stored together in a
    "Prospects" segment, so every customer belongs to exactly one segment of the run.
    """
    _report(progress, "Reading customers and orders", 0.0)
    data = load_workspace_data(ws)
    if len(data.customers.ids) == 0:
        raise NotEnoughData(f"{ws.path} has no customers.", hint="import customers first")
    long_history = data.history_days >= MIN_HISTORY_DAYS
    features = build_features(
        data.lines, data.customers, data.catalog.category, data.catalog.categories,
        time_features=long_history,
    )  # fmt: skip
    result = cluster(features.matrix, k=k, method=method, seed=seed, progress=progress)

    _report(progress, "Describing segments", 0.85)
    buyer_index = np.flatnonzero(features.has_orders)
    masks = []
    for label in range(result.k):
        mask = np.zeros(len(data.customers.ids), dtype=bool)
        mask[buyer_index[result.labels == label]] = True
        masks.append(mask)
    profiles = [segment_profile(data, features, mask) for mask in masks]
    named = name_segments(profiles)

    closeness = np.zeros(len(data.customers.ids))
    closeness[buyer_index] = result.closeness
    # customers whose every order was returned or cancelled have bought; they are no
    # prospects, and a segment of their own says so
    returned_only = ~features.has_orders & data.returned
    prospects = ~features.has_orders & ~returned_only
    parameters = {
        "k": result.k,
        "k_requested": k,
        "method": method,
        "seed": seed,
        "as_of": iso_day(features.as_of_day),
        "history_days": data.history_days,
        "warnings": data_warnings(data, features),
    }
    if data.unusable_lines:
        parameters["unusable_order_lines"] = data.unusable_lines
    _report(progress, "Saving the run", 0.95)
    with ws.write() as db:
        now = utcnow()
        run_id = db.execute(
            "INSERT INTO segmentation_runs (created_at, method, parameters, metrics, features,"
            " n_customers) VALUES (?, ?, ?, ?, ?, ?)",
            (
                now,
                method,
                to_json(parameters),
                to_json(result.metrics),
                to_json(features.feature_names),
                int(features.has_orders.sum()),
            ),
        ).lastrowid
        for mask, profile, (name, description) in zip(masks, profiles, named, strict=True):
            insert_segment(db, run_id, name, description, profile, mask, closeness, data, now)
        # the customers kept out of the clustering, each group a segment of its own
        for name, describe_group, mask in (
            (PROSPECTS_NAME, describe_prospects, prospects),
            (RETURNED_NAME, describe_returned, returned_only),
        ):
            if mask.any():
                profile = segment_profile(data, features, mask)
                insert_segment(
                    db, run_id, name, describe_group(profile), profile, mask,
                    np.ones(len(mask)), data, now,
                )  # fmt: skip
    _report(progress, "Done", 1.0)
    return int(run_id)


def insert_segment(
    db,
    run_id: int | None,
    name: str,
    description: str,
    profile: dict[str, Any],
    mask: np.ndarray,
    score: np.ndarray,
    data: WorkspaceData,
    now: str,
    *,
    kind: str = "cluster",
    rule: str | None = None,
) -> int:
    segment_id = db.execute(
        "INSERT INTO segments (run_id, kind, name, description, size, revenue_share, stats,"
        " rule, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            run_id,
            kind,
            name,
            description,
            profile["size"],
            profile["revenue_share"],
            to_json(profile),
            rule,
            now,
            now,
        ),
    ).lastrowid
    store_members(db, segment_id, data.customers.ids[mask], score[mask])
    return int(segment_id)


def store_members(db, segment_id: int, customer_ids: np.ndarray, scores: np.ndarray) -> None:
    db.execute("DELETE FROM segment_members WHERE segment_id = ?", (segment_id,))
    db.conn.executemany(
        "INSERT INTO segment_members (segment_id, customer_id, score) VALUES (?, ?, ?)",
        zip(
            [segment_id] * len(customer_ids),
            customer_ids.tolist(),
            np.round(scores, 4).tolist(),
            strict=True,
        ),
    )


def latest_run_id(ws: Workspace) -> int | None:
    return ws.scalar("SELECT max(id) FROM segmentation_runs")


def resolve_run(ws: Workspace, run_id: int | None) -> int:
    """The given run (checked) or the latest one; NotFound when there is none."""
    if run_id is None:
        run_id = latest_run_id(ws)
        if run_id is None:
            raise NotFound(
                f"{ws.path} has no segmentation yet.", hint="run 'studio segment PATH' first"
            )
        return run_id
    if ws.scalar("SELECT id FROM segmentation_runs WHERE id = ?", (run_id,)) is None:
        raise NotFound(f"No segmentation run {run_id} in {ws.path}.")
    return run_id


def list_segments(
    ws: Workspace, run_id: int | None = None, *, include_rules: bool = False
) -> list[dict[str, Any]]:
    """Segments of a run (default: the latest), largest first; optionally rule segments.

    Returns an empty list when the workspace has no run yet (and no rule segments asked).
    """
    rows: list[dict[str, Any]] = []
    if run_id is not None or latest_run_id(ws) is not None:
        rows = ws.query(
            "SELECT * FROM segments WHERE kind = 'cluster' AND run_id = ? ORDER BY id",
            (resolve_run(ws, run_id),),
        )
    if include_rules:
        rows += ws.query("SELECT * FROM segments WHERE kind = 'rule' ORDER BY name")
    return [
        {
            "id": row["id"],
            "run_id": row["run_id"],
            "kind": row["kind"],
            "name": row["name"],
            "description": row["description"],
            "size": row["size"],
            "revenue_share": row["revenue_share"],
            "stats": json.loads(row["stats"]),
            "rule": json.loads(row["rule"]) if row["rule"] else None,
            "updated_at": row["updated_at"],
        }
        for row in rows
    ]


def run_info(ws: Workspace, run_id: int | None = None) -> dict[str, Any]:
    row = ws.query("SELECT * FROM segmentation_runs WHERE id = ?", (resolve_run(ws, run_id),))[0]
    for key in ("parameters", "metrics", "features"):
        row[key] = json.loads(row[key])
    return row
