"""Campaign builder: segments × products × channel formats, the brief, and the variants
and test design each creative gets; its estimate is the planner's
(:func:`studio.services.planning.plan_draft`)."""

from __future__ import annotations

from collections import defaultdict

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QRadioButton,
    QScrollArea,
    QSpinBox,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from studio.core.campaign_settings import (
    AXIS_VALUES,
    MAX_VARIANTS,
    STYLE_STRENGTH,
    CampaignSettings,
)
from studio.core.channels import channel_formats
from studio.core.errors import StudioError
from studio.core.records import Plan
from studio.services.audience import recommended_pairs
from studio.services.planning import plan_draft
from studio.ui.errors import guarded
from studio.ui.screens.base import Screen
from studio.ui.topics import Topic
from studio.ui.viewmodels.format_names import format_label
from studio.ui.viewmodels.jobs import format_seconds
from studio.ui.widgets import button, hint, row

CHANNEL_TITLES = {
    "google": "Google",
    "meta": "Meta",
    "instagram": "Instagram",
    "linkedin": "LinkedIn",
    "email": "Email",
    "sms": "SMS",
    "tiktok": "TikTok",
    "x": "X",
}


#: the axes a test design in the builder can vary: (axis, label, tooltip)
DESIGN_AXES = (
    ("angle", "Message angles", "Copy written from other angles (value, gift, occasion …)"),
    ("colourway", "Colourways", "The creative in other colours of the brand"),
    ("layout", "Layouts", "The creative in other arrangements of picture and text"),
    ("style", "Styles", "The picture in the installed variant styles"),
)
NAME_ROLE = Qt.ItemDataRole.UserRole + 1  # a segment item's name, without its size


def _checked(widget: QListWidget) -> list[int]:
    return [
        widget.item(i).data(Qt.ItemDataRole.UserRole)
        for i in range(widget.count())
        if widget.item(i).checkState() == Qt.CheckState.Checked
    ]


class CampaignBuilderScreen(Screen):
    title = "Campaign builder"
    description = (
        "Pick who to reach, what to show and where. The studio makes copy, a visual and "
        "a creative in every size of each format — on this computer."
    )
    icon = QStyle.StandardPixmap.SP_FileDialogNewFolder
    watches = (Topic.SEGMENTS, Topic.PRODUCTS, Topic.BRAND, Topic.CAMPAIGNS, Topic.JOBS)

    def __init__(self, session, parent: QWidget | None = None) -> None:
        super().__init__(session, parent)
        body = QWidget()
        columns = QGridLayout(body)
        columns.setContentsMargins(0, 0, 0, 0)

        about = QGroupBox("Campaign")
        about_form = QFormLayout(about)
        self.name = QLineEdit()
        self.name.setAccessibleName("Campaign name")
        self.name.setPlaceholderText("Spring coffee launch")
        self.brief = QPlainTextEdit()
        self.brief.setAccessibleName("Brief")
        self.brief.setPlaceholderText("What the campaign is for, offers, dates …")
        self.brief.setFixedHeight(70)
        self.brief.setTabChangesFocus(True)  # Tab moves on, as in every other field
        self.brand_kit = QComboBox()
        self.brand_kit.setAccessibleName("Brand kit")
        self.tone = QLineEdit()
        self.tone.setAccessibleName("Tone")
        self.tone.setPlaceholderText("e.g. playful, seasonal (added to the brand's tone)")
        self.language = QComboBox()
        self.language.setAccessibleName("Language")
        self.occasion = QLineEdit()
        self.occasion.setAccessibleName("Occasion")
        self.occasion.setPlaceholderText("e.g. Christmas (default: one the brief names)")
        self.landing_url = QLineEdit()
        self.landing_url.setAccessibleName("Landing page")
        self.landing_url.setPlaceholderText("https://… where the ads and email buttons link to")
        about_form.addRow("Name", self.name)
        about_form.addRow("Brief", self.brief)
        about_form.addRow("Occasion", self.occasion)
        about_form.addRow("Landing page", self.landing_url)
        about_form.addRow("Brand kit", self.brand_kit)
        about_form.addRow("Tone", self.tone)
        about_form.addRow("Language", self.language)

        audience = QGroupBox("Segments")
        audience_layout = QVBoxLayout(audience)
        self.segments = QListWidget()
        self.segments.setAccessibleName("Segments")
        audience_layout.addWidget(self.segments)

        products = QGroupBox("Products")
        products_layout = QVBoxLayout(products)
        self.use_recommended = QRadioButton("Recommended for each segment")
        self.use_chosen = QRadioButton("The products ticked, for all")
        mode = QButtonGroup(self)
        mode.addButton(self.use_recommended)
        mode.addButton(self.use_chosen)
        self.use_recommended.setChecked(True)
        self.top = QSpinBox()
        self.top.setAccessibleName("Products per segment")
        self.top.setRange(1, 10)
        self.top.setValue(2)
        self.products = QListWidget()
        self.products.setAccessibleName("Products")
        products_layout.addWidget(self.use_recommended)
        # on its own line, indented under its choice: the column stays narrow
        per_segment = row(self.top, QLabel("per segment"), stretch_at=2)
        per_segment.setContentsMargins(24, 0, 0, 0)
        products_layout.addLayout(per_segment)
        products_layout.addWidget(self.use_chosen)
        products_layout.addWidget(self.products)

        design = self._design_group()

        formats = QGroupBox("Channel formats")
        formats_layout = QVBoxLayout(formats)
        self.format_boxes: dict[str, QCheckBox] = {}
        by_channel = defaultdict(list)
        for channel_format in channel_formats().values():
            by_channel[channel_format.channel].append(channel_format)
        for channel, members in by_channel.items():
            group = QGroupBox(CHANNEL_TITLES.get(channel, channel.capitalize()))
            group_layout = QVBoxLayout(group)
            for channel_format in members:
                box = QCheckBox(channel_format.label)
                sizes = ", ".join(map(format_label, channel_format.image_formats))
                box.setToolTip(sizes or "copy only")
                box.setAccessibleName(channel_format.label)
                box.toggled.connect(self.update_estimate)
                group_layout.addWidget(box)
                self.format_boxes[channel_format.id] = box
            formats_layout.addWidget(group)
        formats_layout.addStretch(1)
        formats_scroll = QScrollArea()
        formats_scroll.setWidget(formats)
        formats_scroll.setWidgetResizable(True)
        # the format names are read whole: the lists beside them give way in a small window
        formats_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scrollbar = formats_scroll.verticalScrollBar().sizeHint().width()
        formats_scroll.setMinimumWidth(formats.sizeHint().width() + scrollbar + 4)

        columns.addWidget(about, 0, 0)
        columns.addWidget(audience, 1, 0)
        columns.addWidget(products, 0, 1)
        columns.addWidget(design, 1, 1)
        columns.addWidget(formats_scroll, 0, 2, 2, 1)
        columns.setColumnStretch(0, 3)
        columns.setColumnStretch(1, 3)
        columns.setColumnStretch(2, 2)
        self.layout_.addWidget(body, 1)

        self.estimate = QLabel()
        self.estimate.setAccessibleName("Estimate")
        self.estimate.setMinimumWidth(480)  # one line; a wrapped label squeezes to a column
        self.generate_button = button(
            "&Generate", "Create the campaign and queue its generation", shortcut="Ctrl+G",
            primary=True,
        )  # fmt: skip
        footer = QHBoxLayout()
        footer.addWidget(self.estimate, 1)
        footer.addWidget(self.generate_button)
        self.layout_.addLayout(footer)

        for widget in (self.segments, self.products):
            widget.itemChanged.connect(lambda _item: self.update_estimate())
        self.use_recommended.toggled.connect(self.update_estimate)
        self.top.valueChanged.connect(self.update_estimate)
        for spin in (self.variants, *self.axes.values(), self.style_strength):
            spin.valueChanged.connect(self.update_estimate)
        self.occasion.textChanged.connect(self.update_estimate)
        self.name.textChanged.connect(self.update_estimate)
        self.generate_button.clicked.connect(self.generate)
        self.last_plan: Plan | None = None  # the plan the estimate shows

    def _design_group(self) -> QGroupBox:
        """Variants per creative, or a test design: how many values of each axis."""
        group = QGroupBox("Variants and tests")
        form = QFormLayout(group)
        self.variants = QSpinBox()
        self.variants.setAccessibleName("Variants per creative")
        self.variants.setRange(0, MAX_VARIANTS)
        self.variants.setToolTip(
            "Extra versions of each creative in the studio's mix of styles, colours, layouts "
            "and lines (used when no test design is set below)"
        )
        form.addRow("Variants", self.variants)
        self.axes: dict[str, QSpinBox] = {}
        for axis, label, tip in DESIGN_AXES:
            spin = QSpinBox()
            spin.setRange(0, AXIS_VALUES[1])
            spin.setAccessibleName(label)
            spin.setToolTip(tip)
            spin.setSpecialValueText("not tested")
            self.axes[axis] = spin
            form.addRow(label, spin)
        self.style_strength = QDoubleSpinBox()
        self.style_strength.setAccessibleName("Style strength")
        self.style_strength.setRange(*STYLE_STRENGTH)
        self.style_strength.setSingleStep(0.25)
        self.style_strength.setValue(1.0)
        self.style_strength.setToolTip(
            "How strongly style variants apply their style (1: as trained)"
        )
        form.addRow("Style strength", self.style_strength)
        form.addRow(hint("A test design makes each change alone, then their crossings."))
        return group

    def draft_settings(self) -> CampaignSettings:
        """The campaign's options as chosen (raises InputError naming a choice that cannot
        be generated)."""
        axes = {axis: spin.value() for axis, spin in self.axes.items() if spin.value()}
        return CampaignSettings(
            variants=0 if axes else self.variants.value(),  # a design decides the variants
            variant_axes=axes,
            occasion=self.occasion.text(),
            landing_url=self.landing_url.text(),
            style_strength=round(self.style_strength.value(), 2),
        )

    # --- loading ------------------------------------------------------------------------

    def refresh(self) -> None:
        from generators.copy.language import COPY_LANGUAGES
        from studio.services.audience import list_segments
        from studio.services.brand_kits import list_brand_kits
        from studio.services.catalog import product_choices

        workspace = self.session.workspace
        if workspace is None:
            return
        with guarded("Loading the campaign builder", self):
            kept_segments = set(_checked(self.segments))
            kept_products = set(_checked(self.products))
            self.segments.blockSignals(True)
            self.products.blockSignals(True)
            self.segments.clear()
            for segment in list_segments(workspace, include_rules=True):
                item = QListWidgetItem(f"{segment['name']}  ({segment['size']:,})")
                item.setToolTip(segment["description"])
                item.setData(Qt.ItemDataRole.UserRole, segment["id"])
                item.setData(NAME_ROLE, segment["name"])
                item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                state = segment["id"] in kept_segments
                item.setCheckState(Qt.CheckState.Checked if state else Qt.CheckState.Unchecked)
                self.segments.addItem(item)
            if self.segments.count() == 0:
                self.segments.addItem("No segments yet: segment the customers in Audience.")
            self.products.clear()
            for product in product_choices(workspace):
                item = QListWidgetItem(f"{product['name']}  · {product['category'] or ''}")
                item.setData(Qt.ItemDataRole.UserRole, product["id"])
                item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                state = product["id"] in kept_products
                item.setCheckState(Qt.CheckState.Checked if state else Qt.CheckState.Unchecked)
                self.products.addItem(item)
            self.segments.blockSignals(False)
            self.products.blockSignals(False)
            kit = self.brand_kit.currentText()
            self.brand_kit.clear()
            self.brand_kit.addItems(list_brand_kits(workspace) or ["Demo brand"])
            if kit:
                self.brand_kit.setCurrentText(kit)
            if self.language.count() == 0:
                for code, name in COPY_LANGUAGES.items():
                    self.language.addItem(name, code)
            if not any(box.isChecked() for box in self.format_boxes.values()):
                self.format_boxes.get(
                    "meta_feed", next(iter(self.format_boxes.values()))
                ).setChecked(True)
        self.update_estimate()

    # --- choices ------------------------------------------------------------------------

    def select_segments(self, segment_ids: list[int]) -> None:
        for i in range(self.segments.count()):
            item = self.segments.item(i)
            wanted = item.data(Qt.ItemDataRole.UserRole) in segment_ids
            item.setCheckState(Qt.CheckState.Checked if wanted else Qt.CheckState.Unchecked)

    def select_formats(self, format_ids: list[str]) -> None:
        for format_id, box in self.format_boxes.items():
            box.setChecked(format_id in format_ids)

    def chosen_formats(self) -> list[str]:
        return [format_id for format_id, box in self.format_boxes.items() if box.isChecked()]

    def pairs(self) -> list[tuple[int, int]]:
        workspace = self.session.workspace
        segments = [s for s in _checked(self.segments) if s is not None]
        if workspace is None or not segments:
            return []
        if self.use_recommended.isChecked():
            pairs = recommended_pairs(workspace, segments, self.top.value(), stored_only=True)
            self._show_recommended({p for _s, p in pairs})
            return pairs
        return [(s, p) for s in segments for p in _checked(self.products)]

    def _segments_without_recommendations(self, pairs: list[tuple[int, int]]) -> list[str]:
        """The ticked segments the recommended mode makes nothing for."""
        if not self.use_recommended.isChecked():
            return []
        covered = {segment for segment, _product in pairs}
        return [
            self.segments.item(i).data(NAME_ROLE)
            for i in range(self.segments.count())
            if self.segments.item(i).checkState() == Qt.CheckState.Checked
            and self.segments.item(i).data(Qt.ItemDataRole.UserRole) not in covered
        ]

    def _show_recommended(self, product_ids: set[int]) -> None:
        """Tick the recommended products so the user sees what will be made."""
        self.products.blockSignals(True)
        for i in range(self.products.count()):
            item = self.products.item(i)
            chosen = item.data(Qt.ItemDataRole.UserRole) in product_ids
            item.setCheckState(Qt.CheckState.Checked if chosen else Qt.CheckState.Unchecked)
        self.products.blockSignals(False)

    def update_estimate(self) -> None:
        workspace = self.session.workspace
        if workspace is None:
            return
        pairs = self.pairs()
        formats = self.chosen_formats()
        self.products.setEnabled(self.use_chosen.isChecked())
        self.top.setEnabled(self.use_recommended.isChecked())
        missing = []
        if not self.name.text().strip():
            missing.append("a name")
        if not pairs:
            missing.append("segments and products")
        if not formats:
            missing.append("a channel format")
        without = self._segments_without_recommendations(pairs)
        if missing:
            text = "To generate, choose " + ", ".join(missing) + "."
            if without and not pairs:
                text += (
                    f" {_names(without)} {'has' if len(without) == 1 else 'have'} no "
                    "recommended products yet: segment the "
                    "customers again in Audience, or tick products yourself."
                )
            self.estimate.setText(text)
            self.generate_button.setEnabled(False)
            return
        designed = any(spin.value() for spin in self.axes.values())
        self.variants.setEnabled(not designed)  # a design decides the variants
        try:
            plan = plan_draft(
                workspace,
                pairs,
                formats,
                self.draft_settings(),
                self.language.currentData() or "en",
            )
        except StudioError as error:
            self.estimate.setText(f"Cannot generate this: {error.message}")
            self.generate_button.setEnabled(False)
            return
        self.last_plan = plan
        left_out = f" Left out, with no recommended products: {_names(without)}." if without else ""
        assets = plan.assets
        self.estimate.setText(
            f"<b>{plan.targets} targets → {plan.ads} ads</b> from {plan.total_assets} assets: "
            f"{assets['copy']} copy, {assets['visual']} visuals, {assets['creative']} creatives, "
            f"{assets['variant']} variants. "
            f"About <b>{format_seconds(plan.estimate_seconds)}</b> on this computer.{left_out}"
        )
        self.generate_button.setEnabled(True)

    # --- generating ---------------------------------------------------------------------

    def generate(self) -> int | None:
        """Create the campaign and queue its jobs; shows the Queue."""
        from studio.services.audience import resolve_brand_kit
        from studio.services.brand_kits import list_brand_kits
        from studio.services.campaigns import create_campaign
        from studio.services.planning import enqueue_generation

        with guarded("Creating the campaign", self):
            workspace = self.session.require_workspace()
            name = self.brand_kit.currentText()
            kit = resolve_brand_kit(workspace, name) if name in list_brand_kits(workspace) else None
            campaign_id = create_campaign(
                workspace,
                self.name.text(),
                pairs=self.pairs(),
                channel_formats=self.chosen_formats(),
                brief=self.brief.toPlainText().strip(),
                brand_kit_id=kit,
                tone=self.tone.text().strip(),
                language=self.language.currentData() or "en",
                settings=self.draft_settings(),
            )
            jobs = enqueue_generation(workspace, campaign_id, self.session.queue)
            self.session.status_message.emit(
                f"Campaign '{self.name.text().strip()}' created; {len(jobs)} jobs queued"
            )
            self.session.data_changed.emit(Topic.CAMPAIGNS)
            self.session.data_changed.emit(Topic.JOBS)
            self.name.clear()
            self.window().show_screen("Queue")
            return campaign_id
        return None


def _names(segments: list[str]) -> str:
    return ", ".join(f"“{name}”" for name in segments)
