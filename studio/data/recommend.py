"""Products each segment is most likely to buy next, with a reason a marketer can read.

Three signals, each scaled to [0, 1] within a segment and mixed with fixed weights:

* **co-purchase** (item-based collaborative filtering): cosine similarity between
  products over who bought them; a customer's score for a product sums its similarity
  to what they bought. Averaged over a segment this is ``p_segment @ S`` (linearity),
  so no per-customer matrix is ever built.
* **affinity**: the share of the segment that bought the product against the overall
  base rate (lift, smoothed towards 1 for small segments), normalised with a softmax
  over products.
* **content**: cosine similarity of the product's text embedding (all-MiniLM-L6-v2) to
  the segment's taste profile.

A product nobody has bought yet borrows the co-purchase and affinity signals of its most
similar product that did sell (by text embedding), scaled by their similarity, so new
products are ranked where their look-alikes are wanted rather than always last.

Writes the table `recommendations` (its schema is in :mod:`studio.storage.migrations`).
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from studio.core.errors import NotEnoughData, NotFound
from studio.core.progress import Progress
from studio.data.features import Catalog, OrderLines, WorkspaceData, load_workspace_data
from studio.data.segmentation import resolve_run
from studio.storage.workspace import CACHE_DIR, Workspace, to_json, utcnow

WEIGHTS = {"co_purchase": 0.45, "affinity": 0.35, "content": 0.20}
#: pseudo-customers that pull a small segment's purchase shares towards the overall rate
PRIOR_STRENGTH = 20.0
EMBEDDING_CACHE = "product-embeddings.npz"


# --- signals (pure numpy; evaluation reuses them) ----------------------------------------


@dataclass
class Signals:
    """What every segment's scoring shares: who bought what, similarities, embeddings."""

    bought: Any  # scipy CSR (customers × products), 1 where the customer bought it
    similarity: np.ndarray  # (P, P) co-purchase cosine, zero diagonal
    embeddings: np.ndarray  # (P, 384) unit vectors
    overall_rate: np.ndarray  # (P,) share of buying customers who bought each product
    n_buyers: int
    #: for products nobody bought: the most similar product that sold (-1 otherwise) …
    look_alike: np.ndarray
    #: … and its cosine similarity, which scales what the new product borrows from it
    look_alike_similarity: np.ndarray


def purchase_matrix(lines: OrderLines, n_customers: int, n_products: int):
    from scipy.sparse import csr_matrix

    matrix = csr_matrix(
        (np.ones(len(lines), dtype=np.float32), (lines.customer, lines.product)),
        shape=(n_customers, n_products),
    )
    matrix.data[:] = 1.0  # duplicates were summed: bought at all is what counts
    return matrix


def item_similarity(bought) -> np.ndarray:
    """Cosine similarity between product columns; products nobody bought score 0."""
    co = (bought.T @ bought).toarray().astype(np.float64)
    norms = np.sqrt(np.diag(co))
    with np.errstate(divide="ignore", invalid="ignore"):
        similarity = co / np.outer(norms, norms)
    similarity = np.nan_to_num(similarity, nan=0.0, posinf=0.0)
    np.fill_diagonal(similarity, 0.0)
    return similarity


def build_signals(
    lines: OrderLines,
    n_customers: int,
    embeddings: np.ndarray,
    guests: OrderLines | None = None,
) -> Signals:
    """Signals from customers' lines, plus guest baskets (sales without a customer) as
    extra rows after the customers': they count for popularity and co-purchase only."""
    bought = purchase_matrix(lines, n_customers, len(embeddings))
    if guests is not None and len(guests):
        from scipy.sparse import vstack

        baskets = purchase_matrix(guests, int(guests.customer.max()) + 1, len(embeddings))
        bought = vstack([bought, baskets]).tocsr()
    buyers = np.asarray(bought.sum(axis=1)).ravel() > 0
    n_buyers = int(buyers.sum())
    counts = np.asarray(bought.sum(axis=0)).ravel()
    look_alike = np.full(len(counts), -1)
    look_alike_similarity = np.zeros(len(counts))
    sold, unsold = np.flatnonzero(counts > 0), np.flatnonzero(counts == 0)
    if len(sold) and len(unsold):
        cosine = embeddings[unsold] @ embeddings[sold].T
        look_alike[unsold] = sold[cosine.argmax(axis=1)]
        look_alike_similarity[unsold] = np.clip(cosine.max(axis=1), 0.0, 1.0)
    return Signals(
        bought=bought,
        similarity=item_similarity(bought),
        embeddings=embeddings,
        overall_rate=counts / max(n_buyers, 1),
        n_buyers=n_buyers,
        look_alike=look_alike,
        look_alike_similarity=look_alike_similarity,
    )


@dataclass
class SegmentScores:
    score: np.ndarray  # (P,) final score in [0, 1]
    co_purchase: np.ndarray
    affinity: np.ndarray  # softmax over products (sums to 1)
    content: np.ndarray
    segment_rate: np.ndarray  # share of the segment's buyers who bought each product
    has_history: bool


#: popularity weights the hold-out evaluation chooses among (0 = the segment's own ranking)
BLEND_WEIGHTS = (0.0, 0.25, 0.5, 0.75, 1.0)


def blend(score: np.ndarray, overall_rate: np.ndarray, weight: float) -> np.ndarray:
    """A segment's scores with overall popularity mixed in at ``weight``."""
    if weight <= 0:
        return score
    return (1 - weight) * score + weight * _unit_max(overall_rate)


def _unit_max(values: np.ndarray) -> np.ndarray:
    top = values.max() if values.size else 0.0
    return values / top if top > 0 else np.zeros_like(values)


def score_segment(signals: Signals, members: np.ndarray) -> SegmentScores:
    """Score every product for the customers in ``members`` (bool mask)."""
    rows = signals.bought[np.flatnonzero(members)]
    per_customer = np.asarray(rows.sum(axis=1)).ravel()
    n_buyers = int((per_customer > 0).sum())
    has_history = n_buyers > 0
    overall = signals.overall_rate
    if has_history:
        segment_rate = np.asarray(rows.sum(axis=0)).ravel() / n_buyers
    else:  # prospects: nothing bought yet, so the segment looks like everyone
        segment_rate = overall.copy()

    co_purchase = segment_rate @ signals.similarity
    smoothed = (segment_rate * n_buyers + PRIOR_STRENGTH * overall) / (n_buyers + PRIOR_STRENGTH)
    with np.errstate(divide="ignore", invalid="ignore"):
        lift = np.where(overall > 0, smoothed / overall, 1.0)
    logits = np.log(np.maximum(lift, 1e-9))
    # a product without sales borrows its look-alike's signals, scaled by how alike they are
    new = signals.look_alike >= 0
    if new.any():
        alike, weight = signals.look_alike[new], signals.look_alike_similarity[new]
        co_purchase[new] = weight * co_purchase[alike]
        logits[new] = weight * logits[alike]
    affinity = np.exp(logits - logits.max())
    affinity /= affinity.sum()

    profile = segment_rate @ signals.embeddings
    norm = np.linalg.norm(profile)
    content = signals.embeddings @ (profile / norm) if norm > 0 else np.zeros(len(overall))
    content = np.clip(content, 0.0, None)

    score = (
        WEIGHTS["co_purchase"] * _unit_max(co_purchase)
        + WEIGHTS["affinity"] * _unit_max(affinity)
        + WEIGHTS["content"] * _unit_max(content)
    )
    return SegmentScores(score, co_purchase, affinity, content, segment_rate, has_history)


def ranking(scores: SegmentScores) -> np.ndarray:
    """Product indexes best first; ties broken by overall index for determinism."""
    return rank_scores(scores.score)


def rank_scores(score: np.ndarray) -> np.ndarray:
    return np.lexsort((np.arange(len(score)), -np.round(score, 9)))


#: how much a customer's own signals weigh against their segment's scores in their
#: personal picks; the hold-out evaluation chooses among them
PERSONAL_WEIGHTS = (0.0, 0.1, 0.25, 0.5)
#: the weight before any evaluation: the segment's ranking, nudged by the customer's own
DEFAULT_PERSONAL_WEIGHT = 0.25


def own_signals(signals: Signals, customers: np.ndarray) -> np.ndarray:
    """(customers, products) in [0, 1]: what goes with what each customer bought
    (co-purchase), and what they bought themselves (people buy favourites again)."""
    rows = signals.bought[customers]
    companions = np.asarray(rows @ signals.similarity)
    top = companions.max(axis=1, keepdims=True)
    companions = np.divide(companions, top, out=np.zeros_like(companions), where=top > 0)
    return 0.5 * companions + 0.5 * rows.toarray()


def personal_scores(segment_score: np.ndarray, own: np.ndarray, weight: float) -> np.ndarray:
    """Each customer's scores: their segment's (one row per customer), with their own
    signals mixed in at ``weight``."""
    return (1 - weight) * segment_score + weight * own


def chosen_blend(ws: Workspace) -> tuple[float, str | None]:
    """The popularity weight the latest hold-out evaluation chose, and when (0, None
    before any evaluation)."""
    rows = ws.query(
        "SELECT created_at, metrics FROM evaluations WHERE kind = 'recommendations'"
        " ORDER BY id DESC LIMIT 1"
    )
    if not rows:
        return 0.0, None
    weight = json.loads(rows[0]["metrics"]).get("blend", {}).get("popularity_weight", 0.0)
    return float(weight), rows[0]["created_at"][:10]


def chosen_personal_weight(ws: Workspace) -> float:
    """The weight of a customer's own signals the latest hold-out evaluation chose."""
    metrics = ws.scalar(
        "SELECT metrics FROM evaluations WHERE kind = 'recommendations' ORDER BY id DESC LIMIT 1"
    )
    personal = json.loads(metrics).get("personal", {}) if metrics else {}
    return float(personal.get("weight", DEFAULT_PERSONAL_WEIGHT))


def explain(product: int, scores: SegmentScores, signals: Signals, catalog: Catalog) -> str:
    """A short reason: purchase share vs overall, a frequent companion, or a look-alike."""
    rate, overall = scores.segment_rate[product], signals.overall_rate[product]
    reasons = []
    if overall > 0 and scores.has_history:
        if rate >= 1.2 * overall:
            reasons.append(f"bought by {rate:.0%} of this segment vs {overall:.0%} overall")
        else:
            reasons.append(f"bought by {rate:.0%} of this segment")
    elif overall > 0:
        reasons.append(f"bought by {overall:.0%} of all customers")
    companion = signals.similarity[product] * scores.segment_rate
    companion[product] = 0
    if overall > 0 and companion.max() > 0.02:
        reasons.append(f"often bought with {catalog.names[int(companion.argmax())]}")
    if overall == 0:
        look_alike = int(signals.look_alike[product])
        if look_alike >= 0:
            reasons.append(f"new, no sales yet; similar to {catalog.names[look_alike]}")
        else:
            reasons.append("new, no sales yet")
    return "; ".join(reasons)


# --- product embeddings, cached by text ------------------------------------------------------


def _text_key(model_id: str, text: str) -> str:
    return hashlib.sha256(f"{model_id}\n{text}".encode()).hexdigest()


def product_embeddings(ws: Workspace, texts: list[str]) -> np.ndarray:
    """Embeddings of product texts; unchanged texts come from the workspace cache."""
    from generators.scoring.embeddings import DEFAULT_EMBEDDING_MODEL, embed_texts

    path = ws.path / CACHE_DIR / EMBEDDING_CACHE
    cache = _read_cache(path)
    keys = [_text_key(DEFAULT_EMBEDDING_MODEL, text) for text in texts]
    missing = sorted(
        {key: text for key, text in zip(keys, texts, strict=True) if key not in cache}.items()
    )
    if missing:
        vectors = embed_texts([text for _, text in missing])
        cache.update({key: vector for (key, _), vector in zip(missing, vectors, strict=True)})
        # keep only the current catalogue's texts so the cache does not grow forever
        _write_cache(path, {key: cache[key] for key in keys})
    if not keys:
        return np.zeros((0, 384), dtype=np.float32)
    return np.stack([cache[key] for key in keys]).astype(np.float32)


def _read_cache(path: Path) -> dict[str, np.ndarray]:
    if not path.exists():
        return {}
    try:
        with np.load(path, allow_pickle=False) as stored:
            return dict(zip(stored["keys"].tolist(), stored["vectors"], strict=True))
    except (OSError, ValueError, KeyError):
        return {}  # a damaged cache is rebuilt from the product texts


def _write_cache(path: Path, cache: dict[str, np.ndarray]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial.npz")
    np.savez(partial, keys=np.array(list(cache)), vectors=np.stack(list(cache.values())))
    os.replace(partial, path)


# --- recommendations stored per segment ------------------------------------------------------


def _member_masks(ws: Workspace, data: WorkspaceData, segment_ids: list[int]) -> list[np.ndarray]:
    masks = []
    for segment_id in segment_ids:
        rows = ws.query(
            "SELECT customer_id FROM segment_members WHERE segment_id = ?", (segment_id,)
        )
        ids = np.array([r["customer_id"] for r in rows], dtype=np.int64)
        masks.append(np.isin(data.customers.ids, ids))
    return masks


def compute_recommendations(
    ws: Workspace,
    run_id: int | None = None,
    *,
    top_k: int = 10,
    segment_ids: list[int] | None = None,
    progress: Progress | None = None,
) -> dict[int, list[dict[str, Any]]]:
    """Score products for the run's segments (default: latest run) and every rule segment.

    Replaces the stored top-``top_k`` rows of those segments and returns them per segment.
    """
    report = progress or (lambda description, fraction=None: None)
    if segment_ids is None:
        run_id = resolve_run(ws, run_id)
        segment_ids = [
            r["id"]
            for r in ws.query(
                "SELECT id FROM segments WHERE run_id = ? OR kind = 'rule' ORDER BY id", (run_id,)
            )
        ]
    report("Reading orders", 0.0)
    data = load_workspace_data(ws)
    if len(data.catalog.ids) == 0:
        raise NotEnoughData(f"{ws.path} has no products to recommend.", hint="import products")
    if len(data.lines) == 0:
        raise NotEnoughData(f"{ws.path} has no orders to learn from.", hint="import orders")
    report("Embedding product texts", 0.2)
    embeddings = product_embeddings(ws, data.catalog.texts)
    report("Scoring products", 0.6)
    signals = build_signals(data.lines, len(data.customers.ids), embeddings, data.guests)
    top_k = max(1, min(top_k, len(data.catalog.ids)))
    weight, chosen_on = chosen_blend(ws)
    result: dict[int, list[dict[str, Any]]] = {}
    for segment_id, members in zip(segment_ids, _member_masks(ws, data, segment_ids), strict=True):
        scores = score_segment(signals, members)
        scores.score = blend(scores.score, signals.overall_rate, weight)
        result[segment_id] = [
            {
                "product_id": int(data.catalog.ids[p]),
                "sku": data.catalog.skus[p],
                "name": data.catalog.names[p],
                "rank": rank,
                "score": round(float(scores.score[p]), 4),
                "components": {
                    "co_purchase": round(float(scores.co_purchase[p]), 4),
                    "affinity": round(float(scores.affinity[p]), 4),
                    "content": round(float(scores.content[p]), 4),
                    "segment_rate": round(float(scores.segment_rate[p]), 4),
                    "overall_rate": round(float(signals.overall_rate[p]), 4),
                    "popularity_weight": weight,
                },
                "explanation": explain(p, scores, signals, data.catalog)
                + (
                    f"; ranked with {weight:.0%} overall popularity, as the hold-out of "
                    f"{chosen_on} chose"
                    if weight > 0
                    else ""
                ),
            }
            for rank, p in enumerate(ranking(scores)[:top_k], start=1)
        ]
    report("Saving", 0.9)
    with ws.write() as db:
        now = utcnow()
        for segment_id, rows in result.items():
            db.execute("DELETE FROM recommendations WHERE segment_id = ?", (segment_id,))
            db.conn.executemany(
                "INSERT INTO recommendations (segment_id, product_id, rank, score, components,"
                " explanation, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                [
                    (segment_id, r["product_id"], r["rank"], r["score"],
                     to_json(r["components"]), r["explanation"], now)
                    for r in rows
                ],
            )  # fmt: skip
    report("Done", 1.0)
    return result


def top_products(ws: Workspace, segment_id: int, k: int = 5) -> list[dict[str, Any]]:
    """The segment's best products; computed and stored first when fewer than ``k`` are."""
    if ws.scalar("SELECT id FROM segments WHERE id = ?", (segment_id,)) is None:
        raise NotFound(f"No segment {segment_id} in {ws.path}.")
    stored = ws.scalar("SELECT count(*) FROM recommendations WHERE segment_id = ?", (segment_id,))
    if stored < min(k, ws.scalar("SELECT count(*) FROM products")):
        compute_recommendations(ws, segment_ids=[segment_id], top_k=max(k, 10))
    return stored_top_products(ws, segment_id, k)


def stored_top_products(ws: Workspace, segment_id: int, k: int = 5) -> list[dict[str, Any]]:
    """The segment's best products as stored (none when never computed)."""
    rows = ws.query(
        "SELECT r.product_id, p.sku, p.name, r.rank, r.score, r.components, r.explanation"
        " FROM recommendations r JOIN products p ON p.id = r.product_id"
        " WHERE r.segment_id = ? ORDER BY r.rank LIMIT ?",
        (segment_id, k),
    )
    for row in rows:
        row["components"] = json.loads(row["components"])
    return rows


def segments_for_product(
    ws: Workspace, product_id: int, k: int = 3, run_id: int | None = None
) -> list[dict[str, Any]]:
    """Segments of a run (default: latest) that this product is recommended to, best first."""
    if ws.scalar("SELECT id FROM products WHERE id = ?", (product_id,)) is None:
        raise NotFound(f"No product {product_id} in {ws.path}.")
    run_id = resolve_run(ws, run_id)
    return ws.query(
        "SELECT s.id AS segment_id, s.name, s.size, r.rank, r.score, r.explanation"
        " FROM recommendations r JOIN segments s ON s.id = r.segment_id"
        " WHERE r.product_id = ? AND s.run_id = ? ORDER BY r.score DESC, r.rank, s.id LIMIT ?",
        (product_id, run_id, k),
    )
