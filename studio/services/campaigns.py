"""Campaigns: create them, review their assets, edit copy, regenerate.

A campaign's targets are segment × product × channel format; what it generates lives in
``assets`` (conventions in docs/architecture.md) and is planned by
:mod:`studio.services.planning`.

Approval protects the user: :func:`approve_all` (the quickstart, ``studio approve --all``,
"Approve all drafts") never approves copy a person must read first — a field without
passing text, or an edited text that fails a check — nor the creatives and variants that
show it. Such copy can still be approved one asset at a time, by hand.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from itertools import product as cartesian
from typing import Any

from studio.core.campaign_settings import CampaignSettings
from studio.core.channels import get_channel_format
from studio.core.errors import InputError, NotFound
from studio.core.records import Asset, NewAsset
from studio.jobs.queue import JobQueue
from studio.services.generation import REGENERATES
from studio.services.generation.payloads import (
    CopyPayload,
    CreativePayload,
    VariantsPayload,
    VisualPayload,
)
from studio.storage import campaigns as store

# the campaign reads the app and the CLI show, through this module
from studio.storage.campaigns import asset_history as asset_history
from studio.storage.campaigns import assets_by_id as assets_by_id
from studio.storage.campaigns import campaign_asset_count as campaign_asset_count
from studio.storage.campaigns import current_assets as current_assets
from studio.storage.campaigns import get_asset as get_asset
from studio.storage.campaigns import get_campaign as get_campaign
from studio.storage.campaigns import latest_copy as latest_copy
from studio.storage.campaigns import list_campaigns as list_campaigns
from studio.storage.campaigns import newest_copy_for as newest_copy_for
from studio.storage.campaigns import target_rows as target_rows
from studio.storage.workspace import Workspace


def create_campaign(
    ws: Workspace,
    name: str,
    *,
    segment_ids: Sequence[int] = (),
    product_ids: Sequence[int] = (),
    channel_formats: Sequence[str],
    pairs: Sequence[tuple[int, int]] | None = None,
    brief: str = "",
    brand_kit_id: int | None = None,
    tone: str = "",
    language: str = "en",
    settings: CampaignSettings | None = None,
) -> int:
    """Create a campaign and its targets; returns the campaign id.

    Targets are every segment × product × channel format, or, with ``pairs``, every
    (segment, product) pair × channel format (e.g. each segment with its own top products).
    Nothing is written when any input is wrong.
    """
    from generators.copy.language import copy_language

    settings = settings or CampaignSettings()
    name = name.strip()
    if not name:
        raise InputError("A campaign needs a name.")
    if pairs is None:
        pairs = list(cartesian(segment_ids, product_ids))
    pairs = list(dict.fromkeys((int(s), int(p)) for s, p in pairs))
    formats = list(dict.fromkeys(channel_formats))
    if not pairs:
        raise InputError(f"Campaign '{name}' needs at least one segment and one product.")
    if not formats:
        raise InputError(f"Campaign '{name}' needs at least one channel format.")
    check_design(settings, formats)
    language = copy_language(language)
    for table, ids, what in (
        ("segments", {s for s, _ in pairs}, "segment"),
        ("products", {p for _, p in pairs}, "product"),
        *([("brand_kits", {brand_kit_id}, "brand kit")] if brand_kit_id is not None else []),
    ):
        missing = store.missing_ids(ws, table, ids)
        if missing:
            raise NotFound(f"No {what} with id {', '.join(map(str, missing))} in {ws.path}.")
    if brand_kit_id is None:  # the workspace's first kit, as the compositor would pick it
        first = store.brand_kit_row(ws)
        brand_kit_id = first["id"] if first else None
    if store.campaign_name_taken(ws, name):
        raise InputError(
            f"A campaign named '{name}' already exists in {ws.path}.", hint="choose another name"
        )
    runs = store.segmentation_runs_of(ws, (s for s, _ in pairs))
    return store.insert_campaign(
        ws,
        name=name,
        brief=brief,
        brand_kit_id=brand_kit_id,
        run_id=next(iter(runs)) if len(runs) == 1 else None,
        language=language,
        tone=tone,
        settings=settings,
        targets=[(s, p, f) for (s, p), f in cartesian(pairs, formats)],
    )


def check_design(settings: CampaignSettings, channel_formats: Sequence[str]) -> None:
    """Refuse a format the studio lacks, or a test design some image format of the campaign
    cannot have, now rather than after hours of generation."""
    from generators.variants.matrix import axis_capacity

    for format_id in channel_formats:
        channel_format = get_channel_format(format_id)  # raises NotFound naming the known ones
        for axis, count in settings.variant_axes.items():
            for image_format in channel_format.image_formats:
                capacity = axis_capacity(axis, image_format)
                if capacity is not None and count > capacity:
                    offers = f"only {capacity}" if capacity else "none"
                    raise InputError(
                        f"The {axis} axis asks for {count} values, but {image_format} "
                        f"(of {format_id}) offers {offers}.",
                        hint=f"ask for at most {capacity} {axis} values, or leave out {format_id}",
                    )


def delete_campaign(ws: Workspace, campaign_id: int) -> None:
    """Delete a campaign with its targets, assets and jobs (stored files stay)."""
    store.get_campaign(ws, campaign_id)
    store.delete_campaign(ws, campaign_id)


# --- review --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Approval:
    approved: int
    #: copy assets left for a person to read (with the creatives and variants showing them)
    left_for_review: list[int]
    #: passing copy fields approved, and copy fields left for review
    fields_approved: int
    fields_left: int


def approve_all(
    ws: Workspace, campaign_id: int, kinds: Iterable[str] = ("copy", "creative", "variant")
) -> Approval:
    """Approve every current draft of the given kinds, except copy a person must read
    first and the images that show it."""
    kinds = set(kinds)
    store.get_campaign(ws, campaign_id)
    drafts = [a for a in store.current_assets(ws, campaign_id, status="draft") if a.kind in kinds]
    copies = {a.id: a for a in store.current_assets(ws, campaign_id, "copy")}
    held = {cid for cid, copy in copies.items() if copy.copy_needs_review}
    approve = [
        a.id
        for a in drafts
        if not (a.kind == "copy" and a.id in held)
        and not (a.kind != "copy" and a.content.get("copy_asset_id") in held)
    ]
    fields_left = sum(_fields_left(copies[cid]) for cid in held)
    fields_approved = sum(
        len(copies[a].content.get("fields", {})) - _fields_left(copies[a])
        for a in approve
        if a in copies
    )
    return Approval(
        store.set_statuses(ws, approve, "approved"), sorted(held), fields_approved, fields_left
    )


def _fields_left(copy: Asset) -> int:
    fields = copy.content.get("fields", {})
    problems = copy.content.get("text_problems", {})
    return sum(1 for name, texts in fields.items() if not texts or name in problems) + len(
        [name for name in copy.content.get("closest", {}) if name not in fields]
    )


def set_status(ws: Workspace, asset_id: int, status: str) -> list[int]:
    """Approve, reject or return one asset to draft (a person's decision: no checks).

    One approval: approving a creative or variant approves the copy it shows, so what
    the user approved is what ships (an ad never leaves with its text left behind).
    Returns the ids whose status changed."""
    asset = store.get_asset(ws, asset_id)
    changed = [asset_id]
    copy_id = asset.content.get("copy_asset_id") if asset.kind in ("creative", "variant") else None
    if status == "approved" and copy_id is not None:
        copy = store.get_asset(ws, int(copy_id))
        if copy.status != "approved":
            changed.append(copy.id)
    store.set_asset_status(ws, asset_id, status)
    if len(changed) > 1:
        store.set_statuses(ws, changed[1:], "approved")
    return changed


# --- editing copy ------------------------------------------------------------------------


def copy_request_for(ws: Workspace, copy: Asset) -> Any:
    """The copy request a copy asset answers (its facts, brand and language), to check
    edited texts against."""
    from generators.copy import CopyRequest, facts_from_product_row, segment_from_row, voice_of
    from studio.services.generation.common import campaign_brand_kit, load_subject

    subject = load_subject(ws, copy.target_id)
    return CopyRequest(
        product=facts_from_product_row(subject.product),
        channel_format=copy.content.get("channel_format") or subject.target.channel_format,
        segment=segment_from_row(subject.segment),
        brand=voice_of(campaign_brand_kit(ws, subject.campaign)),
        language=copy.content.get("language") or subject.campaign.language,
    )


def edit_copy(ws: Workspace, asset_id: int, fields: Mapping[str, str | Sequence[str]]) -> int:
    """Save edited copy as a new version, and the creatives that show it rendered again.

    ``fields`` maps field names to a text or a list of texts (replacing those fields;
    others are kept). Every text must fit its field's limit and avoid the brand kit's
    banned words; the copy gate's verdict on each edited text is kept, so a text that
    fails a check is shown and is not approved in bulk. The creatives are rendered before
    anything is written: text that fits no format is refused whole. Their variants become
    drafts and are made again by a queued job. Returns the id of the new copy asset.
    """
    from generators.copy.candidates import check_text
    from generators.copy.constraints import banned_in
    from studio.services.generation.creative import (
        render_again_now,
        stale_creatives,
        store_creative,
    )

    asset = store.get_asset(ws, asset_id)
    if asset.kind != "copy":
        raise InputError(f"Asset {asset_id} is a {asset.kind}, not copy; only copy is edited.")
    channel_format = get_channel_format(asset.content.get("channel_format") or asset.format or "")
    banned = store.campaign_banned_words(ws, asset.campaign_id)
    merged = {name: list(values) for name, values in asset.content.get("fields", {}).items()}
    sources = {name: list(values) for name, values in asset.content.get("sources", {}).items()}
    problems = dict(asset.content.get("text_problems", {}))
    request = copy_request_for(ws, asset) if asset.target_id is not None else None
    for name, value in fields.items():
        spec = channel_format.field(name)  # raises NotFound naming the field
        texts = [value] if isinstance(value, str) else list(value)
        texts = [" ".join(text.split()) for text in texts]
        if not texts or not all(texts):
            raise InputError(f"The {name} of asset {asset_id} cannot be empty.")
        if len(texts) > spec.max_count:
            raise InputError(f"{channel_format.label} allows at most {spec.max_count} {name}s.")
        for text in texts:
            if len(text) > spec.max_chars:
                raise InputError(
                    f"The {name} '{text}' has {len(text)} characters; {channel_format.label}"
                    f" allows {spec.max_chars}."
                )
            hits = banned_in(text, banned)
            if hits:
                raise InputError(f"The {name} '{text}' uses banned words: {', '.join(hits)}.")
        before = dict(zip(merged.get(name, []), sources.get(name, []), strict=False))
        # a text the person wrote is credited to them, one they kept keeps its origin
        sources[name] = [before.get(text, "user") for text in texts]
        merged[name] = texts
        problems.pop(name, None)
        if request is not None:
            verdicts = {t: check_text(request, name, t) for t in texts}
            failing = {t: [r for rs in v.values() for r in rs] for t, v in verdicts.items() if v}
            if failing:
                problems[name] = failing
    content = {**asset.content, "fields": merged, "sources": sources, "text_problems": problems}
    content.setdefault("channel_format", channel_format.id)
    # every field with as many lines as the platform needs (3 headlines for a search ad)
    content["passed"] = all(
        len(merged.get(f.name, [])) >= f.min_count for f in channel_format.fields
    )
    edited = NewAsset(
        kind="copy",
        generator="edit",
        campaign_id=asset.campaign_id,
        target_id=asset.target_id,
        channel=asset.channel,
        format=asset.format,
        content=content,
        supersedes=asset,
        model_id=asset.model_id,
        model_revision=asset.model_revision,
        seed=asset.seed,
        prompt=asset.prompt,
        parameters={**asset.parameters, "edited_fields": sorted(fields)},
    )
    # compute, then write: render with the new text first (refusing text that fits no
    # format), then store the copy, the creatives and the queued variant jobs in one write
    creatives = stale_creatives(ws, copy_asset_id=asset.id)
    preview = replace(asset, content=content)
    rendered = render_again_now(ws, creatives, preview)
    with ws.write():
        new_id = store.insert_asset(ws, edited)
        new_copy = store.get_asset(ws, new_id)
        for subject, inputs, made, old in rendered:
            inputs.copy = new_copy
            store_creative(ws, subject, inputs, made, old)
        _remake_variants_of(ws, creatives)
    return new_id


def _remake_variants_of(ws: Workspace, creatives: list[Asset]) -> None:
    """Variants of creatives just rendered again: drafts until a job makes them again."""
    variants = [v for c in creatives for v in store.current_children(ws, c.id)]
    if not variants:
        return
    store.set_statuses(ws, [v.id for v in variants], "draft")
    queue = JobQueue(ws)
    by_target: dict[int | None, list[int]] = {}
    for creative in creatives:
        if any(v.parent_id == creative.id for v in variants):
            by_target.setdefault(creative.target_id, []).append(creative.id)
    for target_id, ids in by_target.items():
        remake = VariantsPayload(remake_of=tuple(ids)).as_dict()
        job_id = queue.enqueue("variants", remake, creatives[0].campaign_id, target_id)
        # an edit reaches its variants before other queued work: the person is waiting
        queue.move(job_id, 0)


def regenerate_asset(ws: Workspace, asset_id: int, queue: JobQueue | None = None) -> int:
    """Queue a job that makes a new version of an asset with a new seed; returns its id."""
    asset = store.get_asset(ws, asset_id)
    if asset.kind not in REGENERATES or asset.target_id is None:
        raise InputError(f"Asset {asset_id} ({asset.kind}) cannot be regenerated.")
    seed = random.randrange(2**31)
    payload = {
        "copy": CopyPayload(supersedes=asset_id, seed=seed),
        "visual": VisualPayload(supersedes=asset_id, seed=seed),
        "creative": CreativePayload(supersedes=asset_id),  # the next layout, no seed
        "variant": VariantsPayload(supersedes=asset_id, seed=seed),
    }[asset.kind]
    queue = queue or JobQueue(ws)
    job = REGENERATES[asset.kind]
    return queue.enqueue(job, payload.as_dict(), asset.campaign_id, asset.target_id)
