"""``export_bundle``: write one campaign as a self-contained, verifiable zip."""

from __future__ import annotations

import errno
import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Protocol

from studio import __version__
from studio.core.channels import channel_formats, get_channel_format
from studio.core.errors import Cancelled, ExportError, StudioError
from studio.core.hashing import sha256_file
from studio.core.links import is_web_link
from studio.core.progress import Progress
from studio.core.records import PersonalPick
from studio.export import csv_files, html_pages, labels
from studio.export.c2pa_signing import C2paSigner
from studio.export.catalog import (
    KEY_SUFFIX,
    BundleAsset,
    BundleCampaign,
    BundleSegment,
    load_campaign,
)
from studio.export.manifest import (
    MANIFEST_NAME,
    asset_entry,
    build_manifest,
    manifest_bytes,
    readme_text,
)
from studio.export.naming import UniqueNames, slugify
from studio.export.personal import PersonalFile, personal_file
from studio.export.zipwriter import BundleZip
from studio.storage.outputs import check_destination
from studio.storage.workspace import Workspace

_EXTENSIONS = {"image/png": "png", "image/jpeg": "jpg"}


class CancelFlag(Protocol):
    """Anything with a ``cancelled`` flag, e.g. :class:`studio.core.progress.CancelToken`."""

    @property
    def cancelled(self) -> bool: ...


@dataclass(frozen=True)
class ExportReport:
    path: Path
    sha256: str
    bytes: int
    creatives: int
    copy_assets: int
    emails: int
    files: int
    c2pa_signed: int
    include_drafts: bool
    #: what would upload empty or broken (an ad without text, a button without a link)
    warnings: list[str] = field(default_factory=list)
    #: customers in the personal mail-merge file (0: none was asked for)
    personal_rows: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "path": str(self.path)}


def digital_source_type(asset: BundleAsset) -> str:
    """IPTC source type: a model's own output, or a composite that includes one."""
    declared = asset.content.get("digital_source_type")
    if declared in (labels.TRAINED, labels.COMPOSITE):
        return declared
    if asset.kind == "variant" and asset.provenance.get("model_id"):
        return labels.TRAINED  # the variant model re-rendered the whole image
    return labels.COMPOSITE  # the compositor combined a visual, product photo and copy


def _channel(asset: BundleAsset) -> str:
    if asset.channel:
        return asset.channel
    known = channel_formats().get(asset.channel_format or "")
    return known.channel if known else "other"


def _place_creatives(campaign: BundleCampaign) -> None:
    names = UniqueNames()
    for asset in campaign.creatives:
        ext = _EXTENSIONS.get(asset.media_type or "")
        if ext is None:
            raise ExportError(
                f"Creative {asset.key} is a {asset.media_type} file; bundles take PNG and JPEG.",
            )
        stem = "-".join(
            (
                slugify(asset.product, fallback="campaign"),
                slugify(asset.format, fallback="image"),
                # the whole key, as in the ad name: a file in an ad manager still names its ad
                slugify(asset.key, max_length=40),
            )
        )
        folder = f"creatives/{slugify(_channel(asset))}/{asset.segment or 'all'}"
        asset.path = names.claim(f"{folder}/{stem}") + f".{ext}"


def check_bundle_destination(out: Path, *, overwrite: bool = False) -> Path:
    """Refuse a destination that is a workspace's own file, a folder, or a file that is
    not a bundle (unless ``overwrite``)."""
    return check_destination(out, overwrite=overwrite, what="bundle")


def export_bundle(
    ws: Workspace,
    campaign_id: int,
    out: Path,
    *,
    include_drafts: bool = False,
    c2pa: C2paSigner | None = None,
    progress: Progress | None = None,
    cancel: CancelFlag | None = None,
    formats: Iterable[str] | None = None,
    overwrite: bool = False,
    email_platform: str = "mailchimp",
    unsubscribe_url: str = "",
    personal: Sequence[PersonalPick] | None = None,
    meta_ad_sets: str = "per-test",
) -> ExportReport:
    """Write the campaign's approved (and, optionally, draft) assets to ``out``.

    ``formats`` limits the bundle to those image format ids (``iab_300x250``) and channel
    format ids (``google_rsa``). ``progress(description, fraction)`` is called as files
    are written; ``cancel.cancelled`` is checked between files. On any failure or cancel
    nothing is left under ``out`` (an existing file there is kept unchanged). ``out`` may
    be an earlier bundle; anything else that exists there is refused unless ``overwrite``.
    ``personal`` (customer data: only when the user asked for it) adds ``personal/``, a
    mail-merge file for ``email_platform``. ``meta_ad_sets`` lays out the Meta sheet with
    one ad set per test or per ad (:data:`csv_files.META_AD_SET_LAYOUTS`).
    """
    out = check_bundle_destination(Path(out), overwrite=overwrite)
    if email_platform not in html_pages.EMAIL_PLATFORMS:
        raise ExportError(
            f"Unknown email platform '{email_platform}'.",
            hint=f"use {', '.join(html_pages.EMAIL_PLATFORMS)}",
        )
    if email_platform == "plain" and not is_web_link(unsubscribe_url):
        raise ExportError(
            "Plain emails need the web address where customers unsubscribe.",
            hint="pass --unsubscribe-url https://…, or choose mailchimp or klaviyo",
        )
    if meta_ad_sets not in csv_files.META_AD_SET_LAYOUTS:
        raise ExportError(
            f"Unknown Meta ad set layout '{meta_ad_sets}'.",
            hint=f"use {' or '.join(csv_files.META_AD_SET_LAYOUTS)}",
        )
    wanted = sorted(set(formats)) if formats is not None else None
    report = progress or (lambda description, fraction=None: None)
    report("Reading the campaign", 0.0)
    campaign = load_campaign(ws, campaign_id, include_drafts=include_drafts, formats=wanted)
    if not campaign.creatives and not campaign.copy:
        if include_drafts:
            raise ExportError(f"The campaign '{campaign.name}' has no creatives or copy yet.")
        drafts = int(
            ws.scalar(
                "SELECT count(*) FROM assets WHERE campaign_id = ? AND status = 'draft'",
                (campaign_id,),
            )
        )
        raise ExportError(
            f"The campaign '{campaign.name}' has no approved creatives or copy to export.",
            hint=f"approve assets first, or use --include-drafts ({drafts} draft(s))",
        )
    check_consistency(campaign)
    _place_creatives(campaign)
    options = {
        "include_drafts": include_drafts,
        "formats": wanted,
        "c2pa": c2pa is not None,
        "personal": personal is not None,
        "meta_ad_sets": meta_ad_sets,
    }
    try:
        with BundleZip(out) as bundle:
            files, signed = _write_creatives(ws, bundle, campaign, c2pa, report, cancel)
            emails = {"platform": email_platform, "unsubscribe_url": unsubscribe_url}
            layout = {"meta_ad_sets": meta_ad_sets}
            contacts = (
                None if personal is None else personal_file(campaign, personal, email_platform)
            )
            written = _write_documents(
                bundle, campaign, files, signed > 0, emails, contacts, **layout
            )
            bundle.add(
                MANIFEST_NAME,
                manifest_bytes(
                    build_manifest(campaign, files, app_version=__version__, options=options)
                ),
            )
            if cancel is not None and cancel.cancelled:
                raise Cancelled("Export cancelled; no bundle was written.")
            report("Finishing the bundle", 0.99)
            bundle.commit()
    except StudioError:
        raise
    except OSError as error:
        disk_full = error.errno == errno.ENOSPC
        reason = "the disk is full" if disk_full else (error.strerror or str(error))
        raise ExportError(
            f"Could not write the bundle {out}: {reason}. No bundle was written.",
            hint="free some space or choose another folder" if disk_full else None,
        ) from error
    report("Bundle written", 1.0)
    return ExportReport(
        path=out,
        sha256=sha256_file(out),
        bytes=out.stat().st_size,
        creatives=len(campaign.creatives),
        copy_assets=len(campaign.copy),
        emails=sum(p.startswith("email/") for p in written),
        files=len(files) + 1,
        c2pa_signed=signed,
        include_drafts=include_drafts,
        warnings=upload_warnings(campaign) + personal_warnings(contacts, email_platform),
        personal_rows=contacts.rows if contacts else 0,
    )


@dataclass(frozen=True)
class ExportPlan:
    """What an export would ship, said before anything is written."""

    creatives: int
    copy_sets: int
    emails: int
    warnings: list[str]


def plan_export(
    ws: Workspace,
    campaign_id: int,
    *,
    include_drafts: bool = False,
    formats: Iterable[str] | None = None,
) -> ExportPlan:
    """Counts and warnings of :func:`export_bundle` with the same choices (reads rows only,
    no files)."""
    wanted = sorted(set(formats)) if formats is not None else None
    campaign = load_campaign(ws, campaign_id, include_drafts=include_drafts, formats=wanted)
    return ExportPlan(
        creatives=len(campaign.creatives),
        copy_sets=len(campaign.copy),
        emails=len(email_segments(campaign)),
        warnings=upload_warnings(campaign),
    )


def email_segments(campaign: BundleCampaign) -> list[BundleSegment]:
    """The segments that get an email: those with something exported."""
    return [
        segment
        for segment in campaign.segments
        if any(a.segment == segment.key for a in campaign.creatives + campaign.copy)
    ]


def personal_warnings(contacts: PersonalFile | None, platform: str) -> list[str]:
    if contacts is None or not contacts.without_email:
        return []
    return [
        f"{contacts.without_email:,} customers have no email address and are not in "
        f"{contacts.path} ({platform.capitalize()} cannot import them)."
    ]


def upload_warnings(campaign: BundleCampaign) -> list[str]:
    """What the platforms would show empty: an ad without its text, ads or emails whose
    button links nowhere."""
    warnings = []
    ads = [c for c in campaign.creatives if c.channel in ("meta", "display")]
    textless = [c.key for c in ads if campaign.copy_for(c) is None]
    if textless:
        warnings.append(
            f"{len(textless)} ad(s) have no approved copy, so their text columns are empty: "
            f"{', '.join(textless[:3])}{' …' if len(textless) > 3 else ''}"
        )
    short = sorted(
        f"{c.key} ({field.name}: {len(c.fields.get(field.name, []))} of {field.min_count})"
        for c in campaign.copy
        if c.format == csv_files.GOOGLE_RSA_FORMAT
        for field in get_channel_format(c.format).fields
        if len(c.fields.get(field.name, [])) < field.min_count
    )
    if short:
        warnings.append(
            f"{len(short)} search ad field(s) have fewer lines than Google Ads needs, and "
            f"its import will refuse them: {', '.join(short[:3])}{' …' if len(short) > 3 else ''}"
        )
    products = {c.product for c in ads + campaign.copy if c.product}
    linkless = sorted(p for p in products if not campaign.landing_url(p))
    if linkless:
        warnings.append(
            f"{len(linkless)} product(s) have no landing URL, so their ads and email buttons "
            "link nowhere: set the campaign's landing URL (studio campaign create "
            "--landing-url) or a product 'url' attribute"
        )
    return warnings


def check_consistency(campaign: BundleCampaign) -> None:
    """Refuse a bundle whose pictures show other text than its copy rows say: an image
    that names an older copy version than the one exported for its target."""
    exported = {c.key for c in campaign.copy}
    by_target = {(c.segment, c.product, c.channel_format): c for c in campaign.copy}
    for image in campaign.creatives:
        shown = image.content.get("copy" + KEY_SUFFIX)
        current = by_target.get((image.segment, image.product, image.channel_format))
        if shown is None or current is None or shown in exported:
            continue
        raise ExportError(
            f"The {image.kind} {image.key} ({image.format}) shows the text of an older version"
            f" of its copy than the copy exported with it ({current.key}).",
            hint="wait for its queued re-render to finish, or reject it, then export again",
        )


def _write_creatives(
    ws: Workspace,
    bundle: BundleZip,
    campaign: BundleCampaign,
    signer: C2paSigner | None,
    report: Progress,
    cancel: CancelFlag | None,
) -> tuple[list[dict[str, Any]], int]:
    files: list[dict[str, Any]] = []
    signed = 0
    total = len(campaign.creatives)
    for done, asset in enumerate(campaign.creatives):
        if cancel is not None and cancel.cancelled:
            raise Cancelled("Export cancelled; no bundle was written.")
        report(f"Writing creative {done + 1} of {total}", 0.9 * done / max(total, 1))
        data = _read_blob(ws, asset)
        source_type = digital_source_type(asset)
        prov = asset.provenance
        packet = labels.xmp_packet(
            source_type,
            creator_tool=f"Campaign Studio {__version__}",
            description=(
                f"AI-generated {asset.kind} for '{campaign.name}' ({asset.format});"
                f" generator {prov.get('generator')}, model {prov.get('model_id') or 'none'}"
            ),
        )
        data = labels.embed_xmp(data, asset.media_type or "", packet)
        if signer is not None:
            data = signer.sign(
                data,
                asset.media_type or "",
                title=asset.path.rsplit("/", 1)[-1] if asset.path else asset.key,
                source_type=source_type,
                generator=str(prov.get("generator")),
                app_version=__version__,
            )
            signed += 1
        sha256, size = bundle.add(asset.path or "", data)
        files.append(
            {
                "path": asset.path,
                "role": "creative",
                "sha256": sha256,
                "bytes": size,
                "media_type": asset.media_type,
                "width": asset.width,
                "height": asset.height,
                "ai_label": source_type,
                "c2pa": signer is not None,
                "asset": asset_entry(asset),
            }
        )
    return files, signed


def _read_blob(ws: Workspace, asset: BundleAsset) -> bytes:
    try:
        data = ws.blob_path(asset.sha256 or "").read_bytes()
    except (StudioError, OSError) as error:
        raise ExportError(
            f"The image of creative {asset.key} ({asset.format}) cannot be read: {error}"
        ) from error
    if hashlib.sha256(data).hexdigest() != asset.sha256:
        raise ExportError(
            f"The image of creative {asset.key} in {ws.path} no longer matches its hash"
            f" {(asset.sha256 or '')[:12]}…; the file was changed outside the studio.",
        )
    return data


def _write_documents(
    bundle: BundleZip,
    campaign: BundleCampaign,
    files: list[dict[str, Any]],
    signed: bool,
    emails: dict[str, str],
    contacts: PersonalFile | None = None,
    meta_ad_sets: str = "per-test",
) -> list[str]:
    documents: list[tuple[str, bytes, str]] = []
    if contacts is not None:
        documents.append((contacts.path, contacts.data, "personal"))
    if campaign.copy:
        documents.append(("copy/copy.csv", csv_files.copy_csv(campaign), "copy"))
    if any(c.format == csv_files.GOOGLE_RSA_FORMAT for c in campaign.copy):
        documents.append(
            ("ads/google-ads-editor-rsa.csv", csv_files.google_rsa_csv(campaign), "ad_import")
        )
    if any(c.channel == "meta" for c in campaign.creatives):
        sheet = csv_files.meta_ads_csv(campaign, meta_ad_sets)
        documents.append(("ads/meta-ads-bulk.csv", sheet, "ad_import"))
    if campaign.rounds:
        documents.append(("results.html", html_pages.results_html(campaign).encode(), "results"))
    for segment in email_segments(campaign):
        html = html_pages.email_html(campaign, segment, **emails)
        documents.append((f"email/{segment.key}.html", html.encode(), "email"))
    listed = [path for path, _, _ in documents]
    readme = readme_text(
        campaign,
        [f["path"] for f in files] + listed,
        app_version=__version__,
        signed=signed,
        personal_rows=contacts.rows if contacts else None,
        meta_ad_sets=meta_ad_sets,
    )
    documents.append(("README.txt", readme.encode(), "readme"))
    index = html_pages.index_html(
        campaign, [*listed, "README.txt", MANIFEST_NAME], app_version=__version__
    )
    documents.append(("index.html", index.encode(), "preview"))
    for path, data, role in documents:
        sha256, size = bundle.add(path, data)
        files.append({"path": path, "role": role, "sha256": sha256, "bytes": size})
    return [path for path, _, _ in documents]
