"""Review board: approve or reject creatives, edit copy (creatives re-render), regenerate,
compare variants side by side and see every version of an asset.

One module because the board, its editor and its version history share one selection
and one set of Qt models.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, QTimer
from PySide6.QtGui import QIcon, QPixmap, QUndoCommand
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QScrollArea,
    QSplitter,
    QStyle,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from studio.core.records import Asset
from studio.services.campaigns import asset_history, get_asset
from studio.services.campaigns import set_status as set_asset_status
from studio.services.catalog import campaign_channel_formats, campaign_segments
from studio.services.workspaces import Workspace
from studio.ui.errors import guarded, report_error
from studio.ui.screens.base import Screen
from studio.ui.topics import Topic
from studio.ui.viewmodels.format_names import format_label
from studio.ui.viewmodels.images import thumbnail
from studio.ui.viewmodels.products import photo_path
from studio.ui.viewmodels.review import campaigns, copy_headline, copy_notes, review_groups
from studio.ui.widgets import button, empty_state, row

THUMB = 96
STATUS_MARKS = {"approved": "✓ approved", "rejected": "✗ rejected", "draft": "draft"}


class StatusChange(QUndoCommand):
    def __init__(self, screen: ReviewScreen, asset_id: int, old: str, new: str) -> None:
        super().__init__(f"Mark asset {asset_id} {new}")
        self.screen, self.asset_id, self.old, self.new = screen, asset_id, old, new

    def redo(self) -> None:
        self.screen.apply_status(self.asset_id, self.new)

    def undo(self) -> None:
        self.screen.apply_status(self.asset_id, self.old)


def _asset_label(asset: Asset) -> str:
    what = format_label(asset.format) or asset.kind
    if asset.kind == "variant":
        what = f"variant: {asset.content.get('axis', '')} {asset.content.get('value', '')}".strip()
    version = f" · v{asset.version}" if asset.version > 1 else ""
    return f"{what}{version}\n{STATUS_MARKS.get(asset.status, asset.status)}"


class ImageStrip(QDialog):
    """Images side by side with captions (compare variants, version history)."""

    def __init__(self, title: str, items: list[tuple[QPixmap, str]], parent=None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.resize(1100, 520)
        host = QWidget()
        strip = QHBoxLayout(host)
        for pixmap, caption in items:
            cell = QVBoxLayout()
            image = QLabel()
            image.setPixmap(pixmap)
            image.setAlignment(Qt.AlignmentFlag.AlignCenter)
            text = QLabel(caption)
            text.setWordWrap(True)
            text.setMaximumWidth(320)
            cell.addWidget(image)
            cell.addWidget(text)
            strip.addLayout(cell)
        scroll = QScrollArea()
        scroll.setWidget(host)
        scroll.setWidgetResizable(True)
        layout = QVBoxLayout(self)
        layout.addWidget(scroll)
        self.captions = [caption for _pixmap, caption in items]


class ReviewScreen(Screen):
    title = "Review board"
    description = (
        "Approve what may leave the studio. A: approve · R: reject · D: back to draft · "
        "Ctrl+R: regenerate · Ctrl+S: save edited copy (its creatives re-render)."
    )
    icon = QStyle.StandardPixmap.SP_DialogApplyButton
    watches = (Topic.ASSETS, Topic.CAMPAIGNS)

    def __init__(self, session, parent: QWidget | None = None) -> None:
        super().__init__(session, parent)
        self.campaign = QComboBox()
        self.campaign.setAccessibleName("Campaign")
        self.campaign.setMinimumWidth(220)
        self.status_filter = QComboBox()
        self.status_filter.setAccessibleName("Status filter")
        for label, value in (
            ("All statuses", None),
            ("Drafts", "draft"),
            ("Approved", "approved"),
            ("Rejected", "rejected"),
        ):
            self.status_filter.addItem(label, value)
        self.channel_filter = QComboBox()
        self.channel_filter.setAccessibleName("Channel filter")
        self.segment_filter = QComboBox()
        self.segment_filter.setAccessibleName("Segment filter")
        self.approve_all_button = button(
            "Approve all drafts", "Approve every draft creative, variant and copy of this campaign"
        )
        self.layout_.addLayout(
            row(self.campaign, self.status_filter, self.channel_filter, self.segment_filter,
                None, self.approve_all_button, stretch_at=4)
        )  # fmt: skip

        self.tree = QTreeWidget()
        self.tree.setHeaderHidden(True)
        self.tree.setIconSize(QSize(THUMB, THUMB))
        self.tree.setAccessibleName("Creatives")
        self.tree.setMinimumWidth(340)
        self.empty = empty_state("Nothing to review yet: generate a campaign first.")

        detail = QWidget()
        side = QVBoxLayout(detail)
        self.preview = QLabel()
        self.preview.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.preview.setMinimumSize(360, 300)
        self.preview.setAccessibleName("Selected creative")
        self.info = QLabel()
        self.info.setWordWrap(True)
        self.info.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.approve_button = button("Approve", "Approve this creative", shortcut="A")
        self.reject_button = button("Reject", "Reject this creative", shortcut="R")
        self.draft_button = button("Back to draft", "Undecide", shortcut="D")
        self.regenerate_button = button(
            "Regenerate", "Make a new version of this asset", shortcut="Ctrl+R"
        )
        self.compare_button = button("Compare variants", "Show the creative and its variants")
        self.history_button = button("History", "Every version of this asset")
        side.addWidget(self.preview, 1)
        side.addWidget(self.info)
        side.addLayout(row(self.approve_button, self.reject_button, self.draft_button))
        side.addLayout(row(self.regenerate_button, self.compare_button, self.history_button))
        self.copy_box = QGroupBox("Copy")
        self.copy_form = QFormLayout(self.copy_box)
        self.save_copy_button = None  # made with the copy's editors
        side.addWidget(self.copy_box)
        self.copy_editors: dict[str, QPlainTextEdit] = {}

        splitter = QSplitter()
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.tree)
        left_layout.addWidget(self.empty)
        splitter.addWidget(left)
        self._fit_timer = QTimer(self)
        self._fit_timer.setSingleShot(True)
        self._fit_timer.setInterval(80)
        self._fit_timer.timeout.connect(self._fit_preview)
        self.detail_scroll = detail_scroll = QScrollArea()
        detail_scroll.setWidget(detail)
        detail_scroll.setWidgetResizable(True)
        splitter.addWidget(detail_scroll)
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 3)
        self.layout_.addWidget(splitter, 1)

        self.groups = []
        self.selected: Asset | None = None
        self.campaign.activated.connect(lambda _i: self.show_campaign())
        for combo in (self.status_filter, self.channel_filter, self.segment_filter):
            combo.activated.connect(lambda _i: self.show_campaign())
        self.tree.currentItemChanged.connect(self._item_changed)
        self.approve_button.clicked.connect(lambda: self.set_status("approved"))
        self.reject_button.clicked.connect(lambda: self.set_status("rejected"))
        self.draft_button.clicked.connect(lambda: self.set_status("draft"))
        self.regenerate_button.clicked.connect(self.regenerate)
        self.compare_button.clicked.connect(self.compare_variants)
        self.history_button.clicked.connect(self.show_history)
        self.approve_all_button.clicked.connect(self.approve_all)
        self._show_detail(None)

    # --- loading ------------------------------------------------------------------------

    def refresh(self) -> None:
        workspace = self.session.workspace
        if workspace is None:
            return
        with guarded("Loading the review board", self):
            current = self.campaign.currentData()
            self.campaign.clear()
            for entry in campaigns(workspace):
                self.campaign.addItem(
                    f"{entry['name']}  ({entry['approved']}/{entry['assets']} approved)",
                    entry["id"],
                )
            if current is not None and self.campaign.findData(current) >= 0:
                self.campaign.setCurrentIndex(self.campaign.findData(current))
            self._fill_filters(workspace)
            self.show_campaign()

    def _fill_filters(self, workspace: Workspace) -> None:
        campaign_id = self.campaign.currentData()
        for combo, label, rows in (
            (self.channel_filter, "All channels", [
                {"value": f} for f in campaign_channel_formats(workspace, campaign_id)
            ]),
            (self.segment_filter, "All segments", [
                {"value": s["id"], "name": s["name"]}
                for s in campaign_segments(workspace, campaign_id)
            ]),
        ):  # fmt: skip
            kept = combo.currentData()
            combo.clear()
            combo.addItem(label, None)
            values = []
            for entry in rows:
                if combo is self.channel_filter:
                    from studio.core.channels import get_channel_format

                    channel = get_channel_format(entry["value"]).channel
                    if channel not in values:
                        values.append(channel)
                        combo.addItem(channel.capitalize(), channel)
                else:
                    combo.addItem(entry["name"], entry["value"])
            if kept is not None and combo.findData(kept) >= 0:
                combo.setCurrentIndex(combo.findData(kept))

    def show_campaign(self) -> None:
        workspace = self.session.workspace
        campaign_id = self.campaign.currentData()
        kept = self.selected.id if self.selected else None
        self.tree.clear()
        self.groups = []
        if workspace is not None and campaign_id is not None:
            self.groups = review_groups(
                workspace,
                campaign_id,
                status=self.status_filter.currentData(),
                channel=self.channel_filter.currentData(),
                segment_id=self.segment_filter.currentData(),
            )
        reselect = None
        for group in self.groups:
            parent = QTreeWidgetItem([group.title])
            parent.setData(
                0, Qt.ItemDataRole.UserRole, ("copy", group.copy.id if group.copy else None)
            )
            parent.setToolTip(0, copy_headline(group.copy))
            self.tree.addTopLevelItem(parent)
            for asset in group.assets:
                child = QTreeWidgetItem([_asset_label(asset)])
                child.setData(0, Qt.ItemDataRole.UserRole, ("asset", asset.id))
                pixmap = thumbnail(photo_path(workspace, asset.sha256), THUMB)
                if not pixmap.isNull():
                    child.setIcon(0, QIcon(pixmap))
                parent.addChild(child)
                if asset.id == kept or (asset.supersedes_id == kept and kept is not None):
                    reselect = child
            parent.setExpanded(True)
        self.empty.setVisible(not self.groups)
        self.tree.setVisible(bool(self.groups))
        if reselect is not None:
            self.tree.setCurrentItem(reselect)
        elif self.groups and self.groups[0].assets:
            self.tree.setCurrentItem(self.tree.topLevelItem(0).child(0))
        else:
            self._show_detail(None)

    def _item_changed(self, item: QTreeWidgetItem | None, previous: QTreeWidgetItem | None):
        """Leaving an item whose copy was edited and not saved asks first."""
        if previous is not None and self.copy_editors and self.edited_fields():
            answer = self.ask_unsaved()
            if answer == "cancel":  # stay on the edited item, edits kept
                self.tree.blockSignals(True)
                self.tree.setCurrentItem(previous)
                self.tree.blockSignals(False)
                return
            if answer == "save":
                self.save_copy()
        self._select_item(item)

    def ask_unsaved(self) -> str:
        """'save', 'discard' or 'cancel' for copy edits that were not saved."""
        from PySide6.QtWidgets import QMessageBox

        buttons = QMessageBox.StandardButton
        answer = QMessageBox.question(
            self,
            "Unsaved copy",
            "The copy of this item was edited and not saved. Save it before moving on?",
            buttons.Save | buttons.Discard | buttons.Cancel,
            buttons.Save,
        )
        return {buttons.Save: "save", buttons.Discard: "discard"}.get(answer, "cancel")

    def _select_item(self, item: QTreeWidgetItem | None) -> None:
        workspace = self.session.workspace
        if item is None or workspace is None:
            self._show_detail(None)
            return
        kind, asset_id = item.data(0, Qt.ItemDataRole.UserRole)
        if kind == "copy" or asset_id is None:
            child = item.child(0)
            if child is not None:
                self.tree.setCurrentItem(child)
                return
            if asset_id is None:
                return
            # a text ad (SMS, search): its copy is what is reviewed and approved
        with guarded("Showing the creative", self):
            self._show_detail(get_asset(workspace, asset_id))

    def group_of(self, asset: Asset):
        return next((g for g in self.groups if g.target_id == asset.target_id), None)

    def _show_detail(self, asset: Asset | None) -> None:
        self.selected = asset
        for widget in (
            self.approve_button,
            self.reject_button,
            self.draft_button,
            self.regenerate_button,
            self.compare_button,
            self.history_button,
        ):
            widget.setEnabled(asset is not None)  # fmt: skip
        if asset is None:
            self._preview_path = None
            self.preview.setText("Select a creative")
            self.info.clear()
            self.copy_box.hide()
            return
        workspace = self.session.require_workspace()
        if asset.kind == "copy":  # a text ad has no picture: its copy is below
            self._preview_path = None
            self.preview.setText("A text ad: its copy is below.")
        else:
            self._preview_path = photo_path(workspace, asset.sha256)
            self._fit_preview()
        self.info.setText(
            f"<b>{asset.kind.capitalize()}</b> {format_label(asset.format)}"
            f" · version {asset.version}"
            f" · <b>{asset.status}</b><br>{asset.generator}"
            f"{' · ' + asset.model_id if asset.model_id else ''}"
            f"{' · seed ' + str(asset.seed) if asset.seed is not None else ''}"
            f" · variant id {asset.variant_id or '–'}"
        )
        self.compare_button.setEnabled(asset.kind in ("creative", "variant"))
        self._show_copy(self.group_of(asset))

    def _fit_preview(self) -> None:
        """The selected creative as large as the panel allows (at most 520 px), so a small
        window shows it whole."""
        path = getattr(self, "_preview_path", None)
        if path is None:
            return
        room = self.detail_scroll.viewport().width() - 40  # the panel's margins
        side = max(200, min(520, room))
        self.preview.setMinimumSize(min(360, side), 300)
        self.preview.setPixmap(thumbnail(path, side))

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        # once the layout has given the panel its width, and once per drag, not per pixel
        self._fit_timer.start()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self._fit_timer.start()

    def _show_copy(self, group) -> None:
        while self.copy_form.rowCount():
            self.copy_form.removeRow(0)
        self.copy_editors = {}
        self.save_copy_button = button(
            "Save copy", "Save the edited copy as a new version and re-render", shortcut="Ctrl+S"
        )
        self.save_copy_button.clicked.connect(self.save_copy)
        copy = group.copy if group else None
        if copy is None:
            self.copy_box.hide()
            return
        self.copy_box.show()
        self.copy_box.setTitle(f"Copy — {format_label(copy.format)} · version {copy.version}")
        notes = copy_notes(copy)
        sources = copy.content.get("sources", {})
        for name, texts in copy.content.get("fields", {}).items():
            editor = QPlainTextEdit("\n".join(texts))
            editor.setTabChangesFocus(True)  # copy holds no tab characters: Tab moves on
            editor.setAccessibleName(f"Copy {name}")
            made_by = ", ".join(dict.fromkeys(sources.get(name, [])))
            editor.setToolTip(
                "One text per line" + (f" · written by: {made_by}" if made_by else "")
            )
            editor.setFixedHeight(24 + 18 * max(1, min(len(texts), 4)))
            self.copy_form.addRow(name.replace("_", " ").capitalize(), editor)
            self.copy_editors[name] = editor
            for text in notes.get(name, []):
                note = QLabel(f"⚠ {text}")
                note.setObjectName("copyProblem")
                note.setWordWrap(True)
                self.copy_form.addRow("", note)
        if notes:
            note = QLabel(
                "Approve all leaves this copy for you: edit the fields above, or approve it "
                "by hand if it reads well."
            )
            note.setWordWrap(True)
            self.copy_form.addRow(note)
        self.copy_form.addRow(self.save_copy_button)

    # --- actions ------------------------------------------------------------------------

    def set_status(self, status: str) -> None:
        asset = self.selected
        if asset is None or asset.status == status:
            return
        self.session.undo_stack.push(StatusChange(self, asset.id, asset.status, status))

    def apply_status(self, asset_id: int, status: str) -> None:
        with guarded("Changing the status", self):
            set_asset_status(self.session.require_workspace(), asset_id, status)
            self.session.data_changed.emit(Topic.ASSETS)

    def approve_all(self) -> None:
        from studio.services.campaigns import approve_all

        campaign_id = self.campaign.currentData()
        if campaign_id is None:
            return
        with guarded("Approving", self):
            approval = approve_all(self.session.require_workspace(), campaign_id)
            message = f"Approved {approval.approved} assets"
            if approval.left_for_review:
                message += (
                    f"; {approval.fields_left} copy field(s) left for you to read first "
                    "(their problems are listed with the copy)"
                )
            self.session.status_message.emit(message)
            self.session.data_changed.emit(Topic.ASSETS)

    def regenerate(self) -> None:
        from studio.services.campaigns import regenerate_asset

        if self.selected is None:
            return
        with guarded("Queueing the regeneration", self):
            workspace = self.session.require_workspace()
            job_id = regenerate_asset(workspace, self.selected.id, self.session.queue)
            self.session.status_message.emit(f"Regenerating in the queue (job {job_id})")
            self.session.data_changed.emit(Topic.JOBS)

    def edited_fields(self) -> dict[str, list[str]]:
        group = self.group_of(self.selected) if self.selected else None
        old = group.copy.content.get("fields", {}) if group and group.copy else {}
        changed = {}
        for name, editor in self.copy_editors.items():
            texts = [line.strip() for line in editor.toPlainText().splitlines() if line.strip()]
            if texts != old.get(name):
                changed[name] = texts
        return changed

    def save_copy(self) -> None:
        """Save edits as a new copy version; its creatives re-render in the background."""
        group = self.group_of(self.selected) if self.selected else None
        if group is None or group.copy is None:
            return
        changed = self.edited_fields()
        if not changed:
            self.session.status_message.emit("The copy is unchanged")
            return
        old = {name: group.copy.content["fields"].get(name, []) for name in changed}
        self.session.undo_stack.push(CopyEdit(self, group.copy.id, old, changed))

    def apply_copy(self, copy_asset_id: int, fields: dict[str, list[str]]):
        from studio.services.campaigns import edit_copy

        path = self.session.require_workspace().path

        def work(_sink, _cancel) -> int:
            with Workspace.open(path) as ws:
                return edit_copy(ws, copy_asset_id, fields)

        return self.session.tasks.run(
            "Saving copy and re-rendering",
            work,
            on_success=lambda _new_id: (
                self.session.data_changed.emit(Topic.ASSETS),
                self.session.data_changed.emit(Topic.JOBS),  # the variants' remake is queued
            ),
            on_failure=lambda error: report_error(error, context="Saving the copy", parent=self),
        )

    def _pixmap(self, asset: Asset, size: int = 300) -> QPixmap:
        return thumbnail(photo_path(self.session.require_workspace(), asset.sha256), size)

    def compare_variants(self) -> None:
        asset = self.selected
        if asset is None:
            return
        base_id = asset.parent_id if asset.kind == "variant" else asset.id
        group = self.group_of(asset)
        family = [a for a in (group.assets if group else []) if base_id in (a.id, a.parent_id)]
        items = [(self._pixmap(a), _asset_label(a).replace("\n", " · ")) for a in family]
        self.compare_dialog = ImageStrip("Compare variants", items, self)
        self.compare_dialog.open()

    def show_history(self) -> None:
        if self.selected is None:
            return
        with guarded("Reading the history", self):
            versions = asset_history(self.session.require_workspace(), self.selected.id)
            items = [
                (self._pixmap(v, 260), f"v{v.version} · {v.created_at[:16].replace('T', ' ')} · "
                 f"{v.generator} · {v.status}")
                for v in versions
            ]  # fmt: skip
            self.history_dialog = ImageStrip(f"History of asset {self.selected.id}", items, self)
            self.history_dialog.open()


class CopyEdit(QUndoCommand):
    """A copy edit; undo saves the earlier texts back (as a newer version)."""

    def __init__(self, screen: ReviewScreen, asset_id: int, old: dict, new: dict) -> None:
        super().__init__("Edit copy")
        self.screen, self.asset_id, self.old, self.new = screen, asset_id, old, new
        self.latest_id = asset_id
        self.task = None

    def _save(self, fields: dict) -> None:
        self.task = self.screen.apply_copy(self.latest_id, fields)
        self.task.succeeded.connect(self._remember)

    def _remember(self, new_id: int) -> None:
        self.latest_id = new_id

    def redo(self) -> None:
        self._save(self.new)

    def undo(self) -> None:
        self._save(self.old)
