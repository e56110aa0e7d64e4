"""Brand kits in a workspace: the one place kits are read, saved and listed.

Writes the table `brand_kits` (its schema is in :mod:`studio.storage.migrations`).
"""

from __future__ import annotations

import io
import re

from studio.core.errors import NotFound, StudioError
from studio.render.brand import BrandKit, neutral_brand_kit
from studio.storage.campaigns import brand_kit_row
from studio.storage.workspace import Workspace, utcnow


def shop_name(ws: Workspace) -> str:
    """The shop's name as a wordmark shows it: the workspace folder's name in words."""
    words = re.split(r"[-_\s]+", ws.path.resolve().name)
    return " ".join(w if w.isupper() else w.capitalize() for w in words if w) or "Our shop"


def uses_neutral_kit(ws: Workspace) -> bool:
    """Whether the shop has no brand kit of its own, so creatives use the neutral one."""
    return brand_kit_row(ws) is None


NEUTRAL_KIT_NOTE = (
    "This shop has no brand kit yet, so creatives use a neutral kit with its name as the "
    "logo and no tone words. Set the shop's logo, colours, fonts and tone words on the "
    "Brand kit screen."
)


def load_brand_kit(
    ws: Workspace, name: str | None = None, *, kit_id: int | None = None
) -> BrandKit:
    """A kit by name or id; with neither, the workspace's first kit, else a neutral kit
    from the shop's name (never another brand's)."""
    row = brand_kit_row(ws, kit_id=kit_id, name=name)
    if row is None:
        if name is None and kit_id is None:
            return neutral_brand_kit(shop_name(ws))
        known = list_brand_kits(ws)
        raise NotFound(
            f"No brand kit named '{name if name is not None else kit_id}' in {ws.path}.",
            hint=f"known: {', '.join(known) or 'none'}",
        )
    logo = None
    if row["logo_sha256"]:
        from PIL import Image

        logo = Image.open(io.BytesIO(ws.blob_path(row["logo_sha256"]).read_bytes()))
        logo.load()
    return BrandKit.from_row(row, logo)


def save_brand_kit(ws: Workspace, kit: BrandKit) -> int:
    """Insert or update a kit (matched by name); returns its row id."""
    now = utcnow()
    with ws.write() as db:
        logo_sha = None
        if kit.logo is not None:
            logo_sha = ws.store_image(kit.logo.convert("RGBA"), "PNG").sha256
        row = {**kit.to_row(), "logo_sha256": logo_sha, "updated_at": now}
        existing = db.execute("SELECT id FROM brand_kits WHERE name = ?", (kit.name,)).fetchone()
        if existing:
            db.table("brand_kits").update(existing[0], row)
            return int(existing[0])
        created = db.table("brand_kits").insert({"name": kit.name, "created_at": now, **row})
        if created.last_pk is None:
            raise StudioError(f"The workspace did not report the id of brand kit {kit.name!r}.")
        return int(created.last_pk)


def list_brand_kits(ws: Workspace) -> list[str]:
    return [r["name"] for r in ws.query("SELECT name FROM brand_kits ORDER BY name")]
