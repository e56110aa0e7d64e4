"""``studio export`` and ``studio bundle import|verify``: campaign bundles."""

from __future__ import annotations

from pathlib import Path

import click

from studio.cli.common import console, emit, json_option, opened, progress, workspace_argument
from studio.core.errors import ExportError, InputError
from studio.services.campaigns import campaign_asset_count, get_campaign
from studio.services.exports import (
    META_AD_SET_LAYOUTS,
    C2paSigner,
    ExportPlan,
    ExportReport,
    VerifyReport,
    check_bundle_destination,
    default_identity_dir,
    export_campaign,
    import_bundle,
    load_or_create_identity,
    plan_export,
    verify_bundle,
)

bundle_argument = click.argument(
    "bundle", type=click.Path(dir_okay=False, path_type=Path, exists=False)
)


def _signer(use_c2pa: bool, cert: Path | None, key: Path | None, quiet: bool) -> C2paSigner | None:
    if cert or key:
        if not (cert and key):
            raise InputError("--c2pa-cert and --c2pa-key go together: give both or neither.")
        return C2paSigner.from_files(cert, key)
    if not use_c2pa:
        return None
    signer, created = load_or_create_identity()
    if created and not quiet:
        console.print(
            f"Created a local C2PA signing identity in {default_identity_dir()}"
            " (replace it with your organisation's certificate to be trusted by validators)."
        )
    return signer


def _formats(values: tuple[str, ...]) -> list[str] | None:
    formats = [f.strip() for value in values for f in value.split(",") if f.strip()]
    return formats or None


@click.command("export")
@workspace_argument
@click.argument("campaign")
@click.option(
    "--out",
    "out",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Where to write the bundle (.zip). An existing file is replaced only on success.",
)
@click.option("--include-drafts", is_flag=True, help="Also export draft (unreviewed) assets.")
@click.option("--c2pa", "use_c2pa", is_flag=True, help="Sign every image with C2PA credentials.")
@click.option(
    "--c2pa-cert",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help="PEM certificate chain to sign with (default: a local identity the studio creates).",
)
@click.option(
    "--c2pa-key",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help="PEM private key for --c2pa-cert.",
)
@click.option(
    "--formats",
    multiple=True,
    help="Only these image or channel formats (repeat, or comma-separate): iab_300x250,email.",
)
@click.option(
    "--overwrite", is_flag=True, help="Replace a file at --out that the studio did not write."
)
@click.option(
    "--email-platform",
    type=click.Choice(["mailchimp", "klaviyo", "plain"]),
    default="mailchimp",
    show_default=True,
    help="Who sends the emails: their unsubscribe merge tag goes in (plain: --unsubscribe-url).",
)
@click.option("--unsubscribe-url", default="", help="With --email-platform plain: the link.")
@click.option(
    "--meta-ad-sets",
    type=click.Choice(META_AD_SET_LAYOUTS),
    default="per-test",
    show_default=True,
    help="Meta sheet: one ad set per segment and product (Meta then favours the ad it "
    "predicts, not a random split), or one per ad for a fair, randomised comparison.",
)
@click.option(
    "--personal-picks",
    is_flag=True,
    help="Add personal/: a mail-merge file for the email platform with every customer of the "
    "campaign's segments (email, name, their own three products). This puts customer data "
    "in the bundle; off by default.",
)
@click.option(
    "--dry-run",
    is_flag=True,
    help="Say what the bundle would hold (creatives, copy sets, emails) and what would "
    "upload empty, and write nothing.",
)
@json_option
def export_command(
    workspace: Path,
    campaign: str,
    out: Path,
    include_drafts: bool,
    use_c2pa: bool,
    c2pa_cert: Path | None,
    c2pa_key: Path | None,
    formats: tuple[str, ...],
    overwrite: bool,
    email_platform: str,
    unsubscribe_url: str,
    meta_ad_sets: str,
    personal_picks: bool,
    dry_run: bool,
    as_json: bool,
) -> None:
    """Write CAMPAIGN (id or name) of WORKSPACE as a bundle: creatives, copy, ad-platform
    CSVs, emails, a preview page and a manifest with provenance."""
    if dry_run:
        with opened(workspace) as ws:
            plan = plan_export(
                ws, get_campaign(ws, campaign).id, include_drafts=include_drafts,
                formats=_formats(formats),
            )  # fmt: skip
        emit(plan.__dict__, as_json, lambda _: _render_plan(plan, out))
        return
    check_bundle_destination(out, overwrite=overwrite)  # before any work is done
    signer = _signer(use_c2pa, c2pa_cert, c2pa_key, as_json)
    with opened(workspace) as ws:
        campaign_id = get_campaign(ws, campaign).id
        with progress(not as_json) as update:
            report = export_campaign(
                ws,
                campaign_id,
                out,
                personal_picks=personal_picks,
                include_drafts=include_drafts,
                c2pa=signer,
                progress=update,
                formats=_formats(formats),
                overwrite=overwrite,
                email_platform=email_platform,
                unsubscribe_url=unsubscribe_url,
                meta_ad_sets=meta_ad_sets,
            )

    def render(r: ExportReport) -> None:
        signed = f", {r.c2pa_signed} signed with C2PA" if r.c2pa_signed else ""
        click.echo(
            f"Wrote {r.path} ({r.bytes / 1e6:.1f} MB): {r.creatives} creative(s){signed},"
            f" {r.copy_assets} copy set(s), {r.emails} email(s)."
        )
        if personal_picks:
            click.echo(
                f"personal/ holds customer data: {r.personal_rows:,} customers with their "
                "own picks. Share it only with your email platform."
            )
        click.echo(f"sha256 {r.sha256}")
        for warning in r.warnings:
            click.echo(f"Note: {warning}", err=True)
        click.echo(
            f"Review it: open index.html inside the bundle, or studio bundle verify {r.path}"
        )

    emit(report.as_dict(), as_json, lambda _: render(report))


def _render_plan(plan: ExportPlan, out: Path) -> None:
    click.echo(
        f"{out.name} would hold {plan.creatives} creative(s), {plan.copy_sets} copy set(s) "
        f"and {plan.emails} email(s). Nothing was written."
    )
    for warning in plan.warnings:
        click.echo(f"Note: {warning}", err=True)


@click.group("bundle")
def bundle_group() -> None:
    """Check campaign bundles and bring them into a workspace."""


@bundle_group.command("import")
@workspace_argument
@bundle_argument
@json_option
def import_command(workspace: Path, bundle: Path, as_json: bool) -> None:
    """Import BUNDLE (a .zip from 'studio export') into WORKSPACE as a new campaign."""
    with opened(workspace) as ws, progress(not as_json) as update:
        campaign_id = import_bundle(ws, bundle, progress=update)
        name = get_campaign(ws, campaign_id).name
        assets = campaign_asset_count(ws, campaign_id)
    data = {"campaign_id": campaign_id, "campaign": name, "assets": assets}
    emit(
        data,
        as_json,
        lambda d: click.echo(
            f"Imported campaign '{d['campaign']}' (id {d['campaign_id']}) with"
            f" {d['assets']} asset(s) into {workspace}."
        ),
    )


@bundle_group.command("verify")
@bundle_argument
@json_option
def verify_command(bundle: Path, as_json: bool) -> None:
    """Check every file of BUNDLE against its manifest, its AI labels and C2PA credentials.

    Exits with status 1 when anything does not match.
    """
    report = verify_bundle(bundle)

    def render(r: VerifyReport) -> None:
        if r.ok:
            c2pa = f", C2PA valid on {r.c2pa_valid}" if r.c2pa_checked else ""
            click.echo(
                f"OK: {r.files_checked} file(s) match the manifest; {r.labelled} of"
                f" {r.creatives} image(s) carry their AI label{c2pa}."
            )
            return
        click.echo(f"{r.path}: {len(r.problems)} problem(s)", err=True)
        for problem in r.problems:
            click.echo(f"  - {problem}", err=True)

    emit(report.as_dict(), as_json, lambda _: render(report))
    if not report.ok:
        raise ExportError(f"{bundle.name} failed verification ({len(report.problems)} problem(s)).")


def register(group: click.Group) -> None:
    group.add_command(export_command)
    group.add_command(bundle_group)
