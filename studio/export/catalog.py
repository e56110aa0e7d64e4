"""What a bundle holds, read from a workspace into plain records.

Everything here is keyed by values that survive a trip to another workspace (segment
names, product SKUs, asset keys), never by row ids: the manifest of a re-export of an
imported bundle must be the same as the original's. That is why these are their own
records (``BundleCampaign``, ``BundleAsset`` …) and not :mod:`studio.core.records`' rows,
which are keyed by the workspace's ids.

One module because every record reads the same tables with the same portable keys;
splitting it would spread the key rules over several files.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from studio.core.campaign_settings import CampaignSettings
from studio.core.errors import ExportError, NotFound
from studio.core.links import is_web_link
from studio.export.naming import UniqueNames, slugify
from studio.storage.workspace import Workspace

#: kinds of asset that are images in the bundle, and the kind that is copy
IMAGE_KINDS = ("creative", "variant")
COPY_KIND = "copy"
#: content keys that name another asset by row id (``copy_asset_id``) are written to the
#: manifest as ``*_asset_key`` with that asset's stable key
ID_SUFFIX, KEY_SUFFIX = "_asset_id", "_asset_key"
PARENT_KEY = "parent_asset_key"


@dataclass(frozen=True)
class BundleSegment:
    key: str
    name: str
    kind: str
    description: str
    size: int
    revenue_share: float
    stats: dict[str, Any]
    rule: str | None
    run: dict[str, Any] | None


@dataclass(frozen=True)
class BundleProduct:
    sku: str
    name: str
    category: str | None
    description: str | None
    price: float | None
    currency: str | None
    attributes: dict[str, Any]


@dataclass(frozen=True)
class BundleTarget:
    segment: str
    product: str
    channel_format: str


@dataclass
class BundleAsset:
    """One exported asset: a creative image, a variant image, or a copy asset."""

    row_id: int
    key: str
    kind: str
    channel: str | None
    format: str | None
    status: str
    version: int
    variant_id: str | None
    parent: str | None
    segment: str | None
    product: str | None
    channel_format: str | None
    content: dict[str, Any]
    provenance: dict[str, Any]
    sha256: str | None = None
    media_type: str | None = None
    width: int | None = None
    height: int | None = None
    path: str | None = None  # inside the bundle, set when the file is placed

    @property
    def fields(self) -> dict[str, list[str]]:
        return self.content.get("fields", {}) if self.kind == COPY_KIND else {}


@dataclass
class BundleCampaign:
    name: str
    brief: str
    language: str
    tone: str
    status: str
    settings: CampaignSettings
    created_at: str
    updated_at: str
    brand_kit: dict[str, Any] | None
    segments: list[BundleSegment] = field(default_factory=list)
    products: list[BundleProduct] = field(default_factory=list)
    targets: list[BundleTarget] = field(default_factory=list)
    creatives: list[BundleAsset] = field(default_factory=list)
    copy: list[BundleAsset] = field(default_factory=list)
    #: the rounds of its tests: what each kept, dropped and made, and the figures behind it
    rounds: list[dict[str, Any]] = field(default_factory=list)
    #: the workspace's segment ids → their keys in the bundle (never written to it)
    segment_keys: dict[int, str] = field(default_factory=dict)

    def segment(self, key: str | None) -> BundleSegment | None:
        return next((s for s in self.segments if s.key == key), None)

    def product(self, sku: str | None) -> BundleProduct | None:
        return next((p for p in self.products if p.sku == sku), None)

    def copy_for(self, creative: BundleAsset) -> BundleAsset | None:
        """The copy shown on a creative: the one it names, its parent's, else one written
        for the same segment, product and channel format."""
        by_key = {c.key: c for c in self.copy}
        images = {c.key: c for c in self.creatives}
        seen: set[str] = set()
        while creative.key not in seen:  # walk up variants to the creative they vary
            seen.add(creative.key)
            wanted = creative.content.get("copy" + KEY_SUFFIX)
            if wanted in by_key:
                return by_key[wanted]
            if creative.parent not in images:
                break
            creative = images[creative.parent]
        same_target = [
            c
            for c in self.copy
            if (c.segment, c.product, c.channel_format)
            == (creative.segment, creative.product, creative.channel_format)
        ]
        return same_target[0] if same_target else None

    def landing_url(self, sku: str | None) -> str:
        """Where ads link to: the product's ``url`` attribute, else the campaign's."""
        product = self.product(sku)
        url = (product.attributes.get("url") if product else None) or self.settings.landing_url
        url = str(url or "")
        return url if is_web_link(url) else ""  # never a javascript: or file: link


def _json(text: str | None, default: Any) -> Any:
    return json.loads(text) if text else default


def _asset_key(row: dict[str, Any], target: tuple[str, str, str] | None) -> str:
    """A stable key: the variant id, else a digest of what the asset is and how it was made.

    The digest leaves out file bytes (the bundle's copy carries an AI label the workspace
    original lacks), row ids and links to other assets, so it is the same for the asset
    in any workspace it is imported into.
    """
    if row["variant_id"]:
        return str(row["variant_id"])
    content = {
        name: value
        for name, value in json.loads(row["content"] or "{}").items()
        if not name.endswith((ID_SUFFIX, KEY_SUFFIX)) and name != PARENT_KEY
    }
    identity = [
        row["kind"],
        row["format"],
        list(target) if target else None,
        content,
        row["generator"],
        row["model_id"],
        row["model_revision"],
        row["seed"],
        row["prompt"],
        json.loads(row["parameters"] or "{}"),
        row["created_at"],
    ]
    digest = hashlib.sha256(json.dumps(identity, sort_keys=True).encode()).hexdigest()
    return f"{row['kind']}-{digest[:16]}"


def ad_keys(ws: Workspace, campaign_id: int) -> dict[str, int]:
    """Every image and copy asset of a campaign (any version or status) by the key its
    bundle files, ad names and links carry: what ad results are matched back by."""
    scratch = BundleCampaign("", "", "", "", "", CampaignSettings(), "", "", None)
    targets = _load_segments_and_products(ws, campaign_id, scratch)
    kinds = (*IMAGE_KINDS, COPY_KIND)
    rows = ws.query(
        f"SELECT * FROM assets WHERE campaign_id = ? AND kind IN ({', '.join('?' for _ in kinds)})",
        (campaign_id, *kinds),
    )
    return {_asset_key(r, targets.get(r["target_id"])): int(r["id"]) for r in rows}


def load_campaign(
    ws: Workspace,
    campaign_id: int,
    *,
    include_drafts: bool = False,
    formats: Iterable[str] | None = None,
) -> BundleCampaign:
    rows = ws.query("SELECT * FROM campaigns WHERE id = ?", (campaign_id,))
    if not rows:
        raise NotFound(f"No campaign with id {campaign_id} in {ws.path}.")
    row = rows[0]
    campaign = BundleCampaign(
        name=row["name"],
        brief=row["brief"],
        language=row["language"],
        tone=row["tone"],
        status=row["status"],
        settings=CampaignSettings.from_json(_json(row["settings"], {})),
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        brand_kit=_brand_kit(ws, row["brand_kit_id"]),
    )
    segment_keys = _load_segments_and_products(ws, campaign_id, campaign)
    statuses = ("approved", "draft") if include_drafts else ("approved",)
    _load_assets(ws, campaign_id, campaign, segment_keys, statuses)
    campaign.rounds = _rounds(ws, campaign_id, segment_keys)
    if formats is not None:
        _keep_formats(campaign, set(formats))
    return campaign


BRAND_KIT_JSON = (
    "palette",
    "fonts",
    "tone_words",
    "do_examples",
    "dont_examples",
    "banned_words",
    "style",
)


def _brand_kit(ws: Workspace, kit_id: int | None) -> dict[str, Any] | None:
    """The brand kit's name, palette, voice and rules (its logo file stays behind)."""
    rows = ws.query("SELECT * FROM brand_kits WHERE id = ?", (kit_id,)) if kit_id else []
    if not rows:
        return None
    kit = rows[0]
    return {
        "name": kit["name"],
        "disclaimer": kit["disclaimer"],
        **{name: _json(kit[name], {}) for name in BRAND_KIT_JSON},
    }


def _load_segments_and_products(ws: Workspace, campaign_id: int, campaign: BundleCampaign) -> dict:
    targets = ws.query(
        "SELECT t.id, t.segment_id, t.channel_format, p.sku FROM campaign_targets t"
        " JOIN products p ON p.id = t.product_id WHERE t.campaign_id = ?",
        (campaign_id,),
    )
    segment_rows = ws.query(
        "SELECT s.*, r.method, r.parameters AS run_parameters, r.metrics AS run_metrics,"
        " r.features AS run_features, r.n_customers AS run_customers,"
        " r.created_at AS run_created_at"
        " FROM segments s LEFT JOIN segmentation_runs r ON r.id = s.run_id"
        " WHERE s.id IN (SELECT segment_id FROM campaign_targets WHERE campaign_id = ?)"
        " ORDER BY s.name, s.kind, s.id",
        (campaign_id,),
    )
    names = UniqueNames()
    keys = campaign.segment_keys
    for s in segment_rows:
        keys[s["id"]] = names.claim(slugify(s["name"], fallback="segment"))
        run = None
        if s["run_id"] is not None:
            run = {
                "method": s["method"],
                "parameters": _json(s["run_parameters"], {}),
                "metrics": _json(s["run_metrics"], {}),
                "features": _json(s["run_features"], []),
                "n_customers": s["run_customers"],
                "created_at": s["run_created_at"],
            }
        campaign.segments.append(
            BundleSegment(
                key=keys[s["id"]],
                name=s["name"],
                kind=s["kind"],
                description=s["description"],
                size=s["size"],
                revenue_share=s["revenue_share"],
                stats=_json(s["stats"], {}),
                rule=s["rule"],
                run=run,
            )
        )
    for p in ws.query(
        "SELECT * FROM products WHERE id IN"
        " (SELECT product_id FROM campaign_targets WHERE campaign_id = ?) ORDER BY sku",
        (campaign_id,),
    ):
        campaign.products.append(
            BundleProduct(
                sku=p["sku"],
                name=p["name"],
                category=p["category"],
                description=p["description"],
                price=p["price"],
                currency=p["currency"],
                attributes=_json(p["attributes"], {}),
            )
        )
    campaign.targets = sorted(
        (BundleTarget(keys[t["segment_id"]], t["sku"], t["channel_format"]) for t in targets),
        key=lambda t: (t.segment, t.product, t.channel_format),
    )
    return {t["id"]: (keys[t["segment_id"]], t["sku"], t["channel_format"]) for t in targets}


def _load_assets(
    ws: Workspace,
    campaign_id: int,
    campaign: BundleCampaign,
    targets: dict[int, tuple[str, str, str]],
    statuses: tuple[str, ...],
) -> None:
    placeholders = ", ".join("?" for _ in statuses)
    kinds = (*IMAGE_KINDS, COPY_KIND)
    rows = ws.query(
        "SELECT a.*, b.media_type, b.width, b.height FROM assets a"
        " LEFT JOIN blobs b ON b.sha256 = a.sha256"
        f" WHERE a.campaign_id = ? AND a.kind IN ({', '.join('?' for _ in kinds)})"
        f" AND a.status IN ({placeholders}) ORDER BY a.id",
        (campaign_id, *kinds, *statuses),
    )
    # an edit supersedes its original; export the newest version that qualifies, however
    # many drafts lie between it and an older qualifying one
    older = {
        r["id"]: r["supersedes_id"]
        for r in ws.query("SELECT id, supersedes_id FROM assets WHERE campaign_id = ?",
                          (campaign_id,))
    }  # fmt: skip
    superseded: set[int] = set()
    for r in rows:
        previous = older.get(r["id"])
        while previous is not None and previous not in superseded:
            superseded.add(previous)
            previous = older.get(previous)
    rows = [r for r in rows if r["id"] not in superseded]
    # every asset of the campaign, to name parents and linked assets by key
    all_keys = {
        r["id"]: _asset_key(r, targets.get(r["target_id"]))
        for r in ws.query("SELECT * FROM assets WHERE campaign_id = ?", (campaign_id,))
    }
    names = UniqueNames()
    for r in rows:
        if r["kind"] in IMAGE_KINDS and not r["sha256"]:
            raise ExportError(
                f"The {r['kind']} asset {r['id']} of this campaign has no image file.",
                hint="regenerate it or reject it before exporting",
            )
        segment, product, channel_format = targets.get(r["target_id"], (None, None, None))
        content = _portable_content(_json(r["content"], {}), all_keys)
        parent = all_keys.get(r["parent_id"]) if r["parent_id"] else content.pop(PARENT_KEY, None)
        content.pop(PARENT_KEY, None)
        asset = BundleAsset(
            row_id=r["id"],
            key=names.claim(all_keys[r["id"]]),
            kind=r["kind"],
            channel=r["channel"],
            format=r["format"],
            status=r["status"],
            version=r["version"],
            variant_id=r["variant_id"],
            parent=parent,
            segment=segment,
            product=product,
            channel_format=channel_format,
            content=content,
            provenance={
                "generator": r["generator"],
                "model_id": r["model_id"],
                "model_revision": r["model_revision"],
                "seed": r["seed"],
                "prompt": r["prompt"],
                "parameters": _json(r["parameters"], {}),
                "created_at": r["created_at"],
            },
            sha256=r["sha256"],
            media_type=r["media_type"],
            width=r["width"],
            height=r["height"],
        )
        (campaign.copy if r["kind"] == COPY_KIND else campaign.creatives).append(asset)
    order = {kind: i for i, kind in enumerate((*IMAGE_KINDS, COPY_KIND))}

    def sort_key(a: BundleAsset) -> tuple:
        return (a.segment or "", a.product or "", order[a.kind], a.format or "", a.key)

    campaign.creatives.sort(key=sort_key)
    campaign.copy.sort(key=sort_key)


#: fields of a stored round that name assets by row id
_ROUND_IDS = ("test_id", "winner_id", "winner_asset_id", "asset_id")
_ROUND_ID_LISTS = ("keep", "drop")


def _rounds(
    ws: Workspace, campaign_id: int, targets: dict[int, tuple[str, str, str]]
) -> list[dict[str, Any]]:
    """The campaign's rounds with every asset named by its key instead of its row id."""
    from studio.storage.results import rounds

    keys = {
        r["id"]: _asset_key(r, targets.get(r["target_id"]))
        for r in ws.query("SELECT * FROM assets WHERE campaign_id = ?", (campaign_id,))
    }

    def portable(value: Any) -> Any:
        if isinstance(value, dict):
            out = {}
            for name, item in value.items():
                if name == "campaign_id":
                    continue
                if name in _ROUND_IDS and isinstance(item, int):
                    out[name.removesuffix("_id") + "_key"] = keys.get(item)
                elif name in _ROUND_ID_LISTS and isinstance(item, list):
                    out[name] = [keys.get(i) for i in item]
                else:
                    out[name] = portable(item)
            return out
        if isinstance(value, list):
            return [portable(item) for item in value]
        return value

    return [
        {"number": r["number"], "created_at": r["created_at"], **portable(r["plan"])}
        for r in rounds(ws, campaign_id)
    ]


def _portable_content(content: dict[str, Any], keys: dict[int, str]) -> dict[str, Any]:
    """Replace row ids of linked assets (``copy_asset_id: 12``) by their stable keys."""
    portable = {}
    for name, value in content.items():
        if name.endswith(ID_SUFFIX) and isinstance(value, int):
            if value in keys:
                portable[name.removesuffix(ID_SUFFIX) + KEY_SUFFIX] = keys[value]
            continue
        portable[name] = value
    return portable


def _keep_formats(campaign: BundleCampaign, wanted: set[str]) -> None:
    """Keep assets whose image format or channel format is in ``wanted``."""
    known = {a.format for a in campaign.creatives + campaign.copy} | {
        a.channel_format for a in campaign.creatives + campaign.copy
    }
    known.discard(None)
    unknown = sorted(wanted - known)
    if unknown:
        raise ExportError(
            f"The campaign '{campaign.name}' has no approved assets in format(s)"
            f" {', '.join(unknown)}.",
            hint=f"formats in this campaign: {', '.join(sorted(known)) or 'none'}",
        )

    def keep(a: BundleAsset) -> bool:
        return a.format in wanted or a.channel_format in wanted

    campaign.creatives = [a for a in campaign.creatives if keep(a)]
    campaign.copy = [a for a in campaign.copy if keep(a)]
