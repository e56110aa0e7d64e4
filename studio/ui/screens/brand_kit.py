"""Brand kit: palette, fonts, logo, tone and banned words, disclaimer, with a live preview.

Every change is saved at once and is one step on the undo stack (Ctrl+Z / Ctrl+Shift+Z).
The preview is rendered by the real compositor in the background, a moment after the
last change, so typing stays smooth.
"""

from __future__ import annotations

import copy
from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QColor, QImage, QPixmap, QUndoCommand
from PySide6.QtWidgets import (
    QColorDialog,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QInputDialog,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from studio.render.brand import NEUTRAL_KIT_NAME, PALETTE_KEYS, BrandKit, neutral_brand_kit
from studio.render.fonts import font_families
from studio.services.brand_kits import (
    list_brand_kits,
    load_brand_kit,
    save_brand_kit,
    shop_name,
    uses_neutral_kit,
)
from studio.ui.errors import guarded, report_error
from studio.ui.jobs_bridge import pil_to_qimage
from studio.ui.screens.base import Screen
from studio.ui.topics import Topic
from studio.ui.viewmodels.products import photo_path
from studio.ui.widgets import button, row, undo_reaches_the_app

PREVIEW_FORMATS = ("social_1080x1080", "iab_300x250", "iab_728x90", "social_1080x1920")
PREVIEW_DELAY_MS = 250
COLOUR_NAMES = {
    "primary": "Primary",
    "secondary": "Secondary",
    "accent": "Accent",
    "background": "Background",
    "text_dark": "Dark text",
    "text_light": "Light text",
}


def _words(text: str) -> list[str]:
    return [word.strip() for word in text.split(",") if word.strip()]


class KitEdit(QUndoCommand):
    """One change to one field of the brand kit (undo puts the old value back)."""

    def __init__(self, screen: BrandKitScreen, field: str, old: Any, new: Any, text: str):
        super().__init__(text)
        self.screen, self.field, self.old, self.new = screen, field, old, new

    def redo(self) -> None:
        self.screen.apply(self.field, self.new)

    def undo(self) -> None:
        self.screen.apply(self.field, self.old)

    def id(self) -> int:
        # typing in the disclaimer is one undo step, not one per key
        return 1 if self.field == "disclaimer" else -1

    def mergeWith(self, other: QUndoCommand) -> bool:
        if not isinstance(other, KitEdit) or other.field != self.field:
            return False
        self.new = other.new
        return True


class BrandKitScreen(Screen):
    title = "Brand kit"
    description = (
        "Colours, type, logo and voice used by every creative. Changes are saved as you "
        "make them; Ctrl+Z undoes them."
    )
    icon = QStyle.StandardPixmap.SP_DesktopIcon
    watches = (Topic.PRODUCTS,)  # brand kits change only here

    def __init__(self, session, parent: QWidget | None = None) -> None:
        super().__init__(session, parent)
        self.kit: BrandKit | None = None
        self.kit_choice = QComboBox()
        self.kit_choice.setAccessibleName("Brand kit")
        self.kit_choice.setMinimumWidth(220)
        self.new_kit_button = button("New kit…", "Start a new brand kit from a neutral one")
        self.layout_.addLayout(row(self.kit_choice, self.new_kit_button, None, stretch_at=2))
        # a shop without a kit of its own renders with a neutral one until it sets its own
        self.neutral_note = QLabel(
            "This shop has no brand kit yet: its creatives use this neutral kit, with the "
            "shop's name as the logo and no tone words. Set the logo, colours, fonts and tone "
            "words here; your first change saves it as the shop's own kit."
        )
        self.neutral_note.setWordWrap(True)
        self.neutral_note.setAccessibleName("No brand kit yet")
        self.neutral_note.hide()
        self.layout_.addWidget(self.neutral_note)

        form_host = QWidget()
        form_layout = QVBoxLayout(form_host)
        form_layout.setContentsMargins(0, 0, 0, 0)
        palette_box = QGroupBox("Palette")
        palette_grid = QGridLayout(palette_box)
        self.swatches: dict[str, QPushButton] = {}
        for index, key in enumerate(PALETTE_KEYS):
            swatch = QPushButton()
            swatch.setFixedSize(64, 28)
            swatch.setAccessibleName(f"{COLOUR_NAMES[key]} colour")
            swatch.setToolTip(f"Choose the {COLOUR_NAMES[key].lower()} colour")
            swatch.clicked.connect(lambda _=False, k=key: self.pick_colour(k))
            palette_grid.addWidget(QLabel(COLOUR_NAMES[key]), index // 3 * 2, index % 3)
            palette_grid.addWidget(swatch, index // 3 * 2 + 1, index % 3)
            self.swatches[key] = swatch
        form_layout.addWidget(palette_box)

        type_box = QGroupBox("Type and logo")
        type_form = QFormLayout(type_box)
        self.headline_font = QComboBox()
        self.headline_font.setAccessibleName("Headline font")
        self.body_font = QComboBox()
        self.body_font.setAccessibleName("Body font")
        for combo in (self.headline_font, self.body_font):
            combo.addItems(sorted(font_families()))
        self.logo_preview = QLabel()
        self.logo_preview.setFixedHeight(40)
        self.logo_preview.setAccessibleName("Logo")
        self.logo_button = button("Choose logo…", "Use a PNG or SVG-exported logo")
        self.remove_logo_button = button("Remove logo", "Creatives are made without a logo")
        type_form.addRow("Headlines", self.headline_font)
        type_form.addRow("Body text", self.body_font)
        type_form.addRow("Logo", row(self.logo_preview, self.logo_button, self.remove_logo_button))
        form_layout.addWidget(type_box)

        voice_box = QGroupBox("Voice")
        voice_form = QFormLayout(voice_box)
        self.tone_words = QLineEdit()
        self.tone_words.setAccessibleName("Tone words")
        self.tone_words.setPlaceholderText("warm, confident, practical")
        self.tone_words.setToolTip("Words that describe how the copy should sound, comma separated")
        self.banned_words = QLineEdit()
        self.banned_words.setAccessibleName("Banned words")
        self.banned_words.setPlaceholderText("cheap, guaranteed")
        self.banned_words.setToolTip("Copy containing these words is refused, comma separated")
        self.disclaimer = QPlainTextEdit()
        self.disclaimer.setAccessibleName("Disclaimer")
        self.disclaimer.setFixedHeight(60)
        self.disclaimer.setPlaceholderText("Shown in emails and exported with every creative")
        voice_form.addRow("Tone words", self.tone_words)
        voice_form.addRow("Banned words", self.banned_words)
        voice_form.addRow("Disclaimer", self.disclaimer)
        form_layout.addWidget(voice_box)
        form_layout.addStretch(1)

        preview_host = QWidget()
        preview_layout = QVBoxLayout(preview_host)
        self.preview_format = QComboBox()
        self.preview_format.setAccessibleName("Preview format")
        self.preview_format.addItems(PREVIEW_FORMATS)
        self.preview_headline = QLineEdit("Slow mornings, better coffee")
        self.preview_headline.setAccessibleName("Preview headline")
        self.preview = QLabel("Preview")
        self.preview.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.preview.setMinimumSize(320, 320)
        self.preview.setAccessibleName("Creative preview")
        preview_layout.addLayout(row(QLabel("Preview"), self.preview_format, self.preview_headline))
        preview_layout.addWidget(self.preview, 1)

        splitter = QSplitter()
        splitter.addWidget(form_host)
        splitter.addWidget(preview_host)
        splitter.setStretchFactor(1, 1)
        self.layout_.addWidget(splitter, 1)

        self._preview_timer = QTimer(self, singleShot=True, interval=PREVIEW_DELAY_MS)
        self._preview_timer.timeout.connect(self.render_preview)
        self._preview_task = None
        self._preview_wanted = False
        self.preview_image: QImage | None = None

        self.kit_choice.activated.connect(lambda _i: self.load_kit(self.kit_choice.currentText()))
        self.new_kit_button.clicked.connect(self.new_kit_dialog)
        self.headline_font.activated.connect(lambda _i: self._font_changed("headline"))
        self.body_font.activated.connect(lambda _i: self._font_changed("body"))
        self.logo_button.clicked.connect(self.choose_logo)
        self.remove_logo_button.clicked.connect(lambda: self.edit("logo", None, "Remove logo"))
        self.tone_words.editingFinished.connect(
            lambda: self.edit("tone_words", _words(self.tone_words.text()), "Edit tone words")
        )
        self.banned_words.editingFinished.connect(
            lambda: self.edit("banned_words", _words(self.banned_words.text()), "Edit banned words")
        )
        self.disclaimer.textChanged.connect(self._disclaimer_changed)
        undo_reaches_the_app(self.tone_words, self.banned_words, self.disclaimer)
        self.preview_format.activated.connect(lambda _i: self.schedule_preview())
        self.preview_headline.editingFinished.connect(self.schedule_preview)

    # --- loading ------------------------------------------------------------------------

    def refresh(self) -> None:
        workspace = self.session.workspace
        if workspace is None:
            return
        with guarded("Loading the brand kit", self):
            names = list_brand_kits(workspace)
            current = self.kit.name if self.kit and self.kit.name in names else None
            self.neutral_note.setVisible(not names)
            self.kit_choice.clear()
            if not names:  # shown, not saved: the user's first change makes it their kit
                self.kit_choice.addItem(NEUTRAL_KIT_NAME)
                self.kit = load_brand_kit(workspace)
                self.session.undo_stack.clear()
                self._show_kit()
                self.schedule_preview()
                return
            self.kit_choice.addItems(names)
            self.load_kit(current or names[0])

    def load_kit(self, name: str) -> None:
        workspace = self.session.require_workspace()
        neutral = name == NEUTRAL_KIT_NAME and uses_neutral_kit(workspace)
        self.kit = load_brand_kit(workspace) if neutral else load_brand_kit(workspace, name)
        self.kit_choice.setCurrentText(name)
        self.session.undo_stack.clear()  # edits of another kit are not undone here
        self._show_kit()
        self.schedule_preview()

    def _show_kit(self) -> None:
        kit = self.kit
        if kit is None:
            return
        for key, swatch in self.swatches.items():
            colour = kit.palette[key]
            swatch.setStyleSheet(f"background: {colour}; border: 1px solid palette(mid);")
            swatch.setText("")
            swatch.setToolTip(f"{COLOUR_NAMES[key]}: {colour} — click to change")
        for combo, role in ((self.headline_font, "headline"), (self.body_font, "body")):
            family = kit.fonts.get(role, "Inter")
            if combo.findText(family) < 0:
                combo.addItem(family)
            combo.setCurrentText(family)
        if kit.logo is not None:
            image = pil_to_qimage(kit.logo, max_side=None)
            self.logo_preview.setPixmap(
                QPixmap.fromImage(image).scaledToHeight(
                    36, Qt.TransformationMode.SmoothTransformation
                )
            )
        else:
            self.logo_preview.setText("No logo")
        self.remove_logo_button.setEnabled(kit.logo is not None)
        for widget, value in (
            (self.tone_words, ", ".join(kit.tone_words)),
            (self.banned_words, ", ".join(kit.banned_words)),
        ):
            if widget.text() != value:
                widget.setText(value)
        if self.disclaimer.toPlainText() != kit.disclaimer:
            self.disclaimer.blockSignals(True)
            self.disclaimer.setPlainText(kit.disclaimer)
            self.disclaimer.blockSignals(False)

    # --- editing ------------------------------------------------------------------------

    def value(self, field: str) -> Any:
        kit = self.kit
        if field.startswith("palette."):
            return kit.palette[field.split(".", 1)[1]]
        if field.startswith("fonts."):
            return kit.fonts.get(field.split(".", 1)[1], "Inter")
        return copy.copy(getattr(kit, field))

    def edit(self, field: str, new: Any, text: str) -> None:
        """Change one field through the undo stack (no-op when nothing changes)."""
        if self.kit is None:
            return
        old = self.value(field)
        if old == new:
            return
        self.session.undo_stack.push(KitEdit(self, field, old, new, text))

    def apply(self, field: str, value: Any) -> None:
        """Set a field, save the kit and show it (called by undo commands)."""
        kit = copy.copy(self.kit)
        if field.startswith("palette."):
            kit.palette = {**kit.palette, field.split(".", 1)[1]: value}
        elif field.startswith("fonts."):
            kit.fonts = {**kit.fonts, field.split(".", 1)[1]: value}
        else:
            setattr(kit, field, value)
        with guarded("Saving the brand kit", self):
            kit.__post_init__()  # the kit's own checks: colours and fonts
            workspace = self.session.require_workspace()
            first = kit.name == NEUTRAL_KIT_NAME and uses_neutral_kit(workspace)
            if first:  # the neutral kit becomes the shop's own, under the shop's name
                kit.name = shop_name(workspace)
            save_brand_kit(workspace, kit)
            self.kit = kit
            self.session.data_changed.emit(Topic.BRAND)
            if first:
                self.neutral_note.hide()
                self.kit_choice.clear()
                self.kit_choice.addItems(list_brand_kits(workspace))
                self.kit_choice.setCurrentText(kit.name)
        self._show_kit()
        self.schedule_preview()

    def pick_colour(self, key: str) -> None:
        chosen = QColorDialog.getColor(
            QColor(self.value(f"palette.{key}")), self, COLOUR_NAMES[key]
        )
        if chosen.isValid():
            self.edit(f"palette.{key}", chosen.name().upper(), f"Change {key} colour")

    def _font_changed(self, role: str) -> None:
        combo = self.headline_font if role == "headline" else self.body_font
        self.edit(f"fonts.{role}", combo.currentText(), f"Change {role} font")

    def _disclaimer_changed(self) -> None:
        self.edit("disclaimer", self.disclaimer.toPlainText(), "Edit disclaimer")

    def choose_logo(self) -> None:
        path = QFileDialog.getOpenFileName(
            self, "Choose a logo", "", "Images (*.png *.jpg *.webp)"
        )[0]
        if path:
            self.set_logo_file(path)

    def set_logo_file(self, path: str) -> None:
        from studio.render.product import open_product_photo

        with guarded("Reading the logo", self):
            self.edit("logo", open_product_photo(path).convert("RGBA"), "Change logo")

    def new_kit_dialog(self) -> None:
        name, ok = QInputDialog.getText(self, "New brand kit", "Name")
        if ok and name.strip():
            self.create_kit(name.strip())

    def create_kit(self, name: str) -> None:
        with guarded("Creating the brand kit", self):
            workspace = self.session.require_workspace()
            kit = neutral_brand_kit(shop_name(workspace))
            kit.name = name
            save_brand_kit(workspace, kit)
            self.session.data_changed.emit(Topic.BRAND)
            self.refresh()
            self.load_kit(name)

    # --- preview ------------------------------------------------------------------------

    def schedule_preview(self) -> None:
        self._preview_timer.start()

    def render_preview(self) -> None:
        """Render in the background; a change meanwhile renders again when it is done."""
        workspace = self.session.workspace
        if workspace is None or self.kit is None:
            return
        if self._preview_task is not None and self._preview_task.running:
            self._preview_wanted = True
            return
        kit = copy.deepcopy(self.kit)
        image_format = self.preview_format.currentText()
        headline = self.preview_headline.text().strip() or "Your headline here"
        from studio.services.catalog import first_product_photo

        sha = first_product_photo(workspace)
        photo = photo_path(workspace, sha)

        def render(_sink, _cancel) -> QImage:
            from studio.render import compose_creative
            from studio.render.product import open_product_photo
            from studio.render.product_card import product_card

            # a shop without photos sees its creatives as they will be: with a text card
            picture = open_product_photo(photo) if photo else product_card("Your product", "", kit)
            creative = compose_creative(
                image_format=image_format,
                brand=kit,
                copy={"headline": headline, "subline": kit.disclaimer[:60], "cta": "Shop now"},
                product_image=picture,
            )
            return pil_to_qimage(creative.image, max_side=None)

        self._preview_task = self.session.tasks.run(
            "Rendering the preview",
            render,
            on_success=self._show_preview,
            on_failure=lambda error: report_error(
                error, context="Rendering the preview", parent=self
            ),
            ask_before_closing=False,
        )
        self._preview_task.ended.connect(self._preview_done)

    def _preview_done(self) -> None:
        if self._preview_wanted:
            self._preview_wanted = False
            self.schedule_preview()

    def _show_preview(self, image: QImage) -> None:
        self.preview_image = image
        pixmap = QPixmap.fromImage(image)
        target = self.preview.size()
        self.preview.setPixmap(
            pixmap.scaled(
                target,
                Qt.AspectRatioMode.KeepAspectRatio,
                Qt.TransformationMode.SmoothTransformation,
            )
        )
