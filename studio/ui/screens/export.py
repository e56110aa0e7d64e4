"""Export: choose what goes into a campaign bundle, where it goes, and open it when done."""

from __future__ import annotations

from html import escape
from pathlib import Path

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QStyle,
    QWidget,
)

from studio.core.channels import get_channel_format
from studio.services.exports import slugify
from studio.services.workspaces import Workspace
from studio.ui.errors import guarded, report_error
from studio.ui.screens.base import Screen
from studio.ui.topics import Topic
from studio.ui.viewmodels.format_names import format_label
from studio.ui.viewmodels.review import campaigns
from studio.ui.widgets import ProgressPanel, button, hint, refill, row

EXPORTS_FOLDER = "exports"
EMAIL_PLATFORM_CHOICES = (
    ("Mailchimp", "mailchimp"),
    ("Klaviyo", "klaviyo"),
    ("Another tool", "plain"),
)
PRIVACY_NOTE = (
    "Personal picks put customer data in the bundle: each customer's email address, name "
    "and three products picked from what they bought, as a file for the email platform. "
    "Left unticked, no customer data leaves this computer."
)


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


class ExportScreen(Screen):
    title = "Export"
    description = (
        "A campaign leaves the studio as one bundle (.zip): creatives, copy as CSV for ad "
        "managers, HTML emails, a manifest with provenance and AI-generated labels."
    )
    icon = QStyle.StandardPixmap.SP_DialogSaveButton
    watches = (Topic.ASSETS, Topic.CAMPAIGNS)

    def __init__(self, session, parent: QWidget | None = None) -> None:
        super().__init__(session, parent)
        choose = QGroupBox("What goes in")
        form = QFormLayout(choose)
        self.campaign = QComboBox()
        self.campaign.setAccessibleName("Campaign")
        self.include_drafts = QCheckBox("Include drafts (not yet approved)")
        self.include_drafts.setToolTip("Normally only approved creatives and copy are exported")
        self.sign = QCheckBox("Sign images with C2PA content credentials")
        self.sign.setToolTip(
            "Embeds a signed record of how each image was made (uses a local identity "
            "created on first use)"
        )
        self.fair_split = QCheckBox("One Meta ad set per ad (a fair, randomised split)")
        self.fair_split.setToolTip(
            "Meta shows the ads of one ad set by what it predicts will do best, not at "
            "random; one ad set per ad, with equal budgets, compares them fairly"
        )
        self.formats = QListWidget()
        self.formats.setAccessibleName("Formats")
        self.formats.setMaximumHeight(170)
        self.counts = QLabel()
        form.addRow("Campaign", self.campaign)
        form.addRow("Formats", self.formats)
        form.addRow("", self.include_drafts)
        form.addRow("", self.sign)
        form.addRow("", self.fair_split)
        form.addRow("", self.counts)
        self.layout_.addWidget(choose)

        emails = QGroupBox("Emails")
        emails_form = QFormLayout(emails)
        self.email_platform = QComboBox()
        self.email_platform.setAccessibleName("Email platform")
        for label, platform in EMAIL_PLATFORM_CHOICES:
            self.email_platform.addItem(label, platform)
        self.unsubscribe_url = QLineEdit()
        self.unsubscribe_url.setAccessibleName("Unsubscribe page")
        self.unsubscribe_url.setPlaceholderText("https://… where customers unsubscribe")
        self.personal_picks = QCheckBox("Add a personal pick for every customer")
        self.personal_picks.setAccessibleName("Personal picks")
        privacy = hint(PRIVACY_NOTE)
        emails_form.addRow("Sent with", self.email_platform)
        emails_form.addRow("Unsubscribe page", self.unsubscribe_url)
        emails_form.addRow("", self.personal_picks)
        emails_form.addRow("", privacy)
        self.layout_.addWidget(emails)

        where = QGroupBox("Where")
        where_form = QFormLayout(where)
        self.destination = QLineEdit()
        self.destination.setAccessibleName("Destination file")
        browse = button("Browse…", "Choose where to save the bundle")
        where_form.addRow("Bundle file", row(self.destination, browse))
        self.layout_.addWidget(where)

        self.export_button = button(
            "&Export bundle", "Write the bundle", shortcut="Ctrl+E", primary=True
        )
        self.open_button = button("Open folder", "Show the bundle in the file manager")
        self.open_button.hide()
        self.result = QLabel()
        self.result.setWordWrap(True)
        self.result.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.progress = ProgressPanel()
        self.layout_.addLayout(row(self.export_button, self.open_button, None, stretch_at=2))
        self.layout_.addWidget(self.progress)
        self.layout_.addWidget(self.result)
        self.layout_.addStretch(1)

        self.last_report = None
        self.campaign.activated.connect(lambda _i: self._campaign_changed())
        self.include_drafts.toggled.connect(self._update_counts)
        self.formats.itemChanged.connect(lambda _item: self._update_counts())
        self.counts.setWordWrap(True)
        self.email_platform.currentIndexChanged.connect(lambda _i: self._platform_changed())
        self._platform_changed()
        browse.clicked.connect(self._browse)
        self.export_button.clicked.connect(self.export)
        self.open_button.clicked.connect(self.open_folder)

    def refresh(self) -> None:
        workspace = self.session.workspace
        if workspace is None:
            return
        with guarded("Loading the campaigns", self):
            self.entries = {entry["id"]: entry for entry in campaigns(workspace)}
            refill(self.campaign, [(e["name"], e["id"]) for e in self.entries.values()])
            self._campaign_changed()

    def _campaign_changed(self) -> None:
        workspace = self.session.workspace
        campaign_id = self.campaign.currentData()
        self.formats.clear()
        self.export_button.setEnabled(campaign_id is not None)
        if workspace is None or campaign_id is None:
            self.counts.setText("No campaign yet: build one in the Campaign builder.")
            return
        from studio.services.catalog import campaign_channel_formats

        seen: list[str] = []
        for format_id in campaign_channel_formats(workspace, campaign_id):
            channel_format = get_channel_format(format_id)
            for format_id in (channel_format.id, *channel_format.image_formats):
                if format_id in seen:
                    continue
                seen.append(format_id)
                label = format_label(format_id)
                item = QListWidgetItem(label)
                item.setData(Qt.ItemDataRole.UserRole, format_id)
                item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                item.setCheckState(Qt.CheckState.Checked)
                self.formats.addItem(item)
        name = self.campaign.currentText()
        self.destination.setText(
            str(workspace.path / EXPORTS_FOLDER / f"{slugify(name, fallback='campaign')}.zip")
        )
        self._update_counts()

    def _update_counts(self) -> None:
        entry = getattr(self, "entries", {}).get(self.campaign.currentData())
        workspace = self.session.workspace
        if not entry or workspace is None:
            return
        drafts = self.include_drafts.isChecked()
        # a bundle of nothing helps no one: say what to do instead of failing later
        self.export_button.setEnabled(bool(entry["approved"]) or drafts)
        if not entry["approved"] and not drafts:
            self.counts.setText(
                f"None of the {entry['assets']} assets is approved yet: approve creatives in "
                "Review, or tick “Include drafts” to export them for a look."
            )
            return
        from studio.services.exports import plan_export

        with guarded("Reading what the bundle will hold", self):
            plan = plan_export(
                workspace, entry["id"], include_drafts=drafts, formats=self.chosen_formats()
            )
            self.counts.setText(
                f"<b>Will ship {_count(plan.creatives, 'creative')}, "
                f"{_count(plan.copy_sets, 'copy set')} and {_count(plan.emails, 'email')}</b>"
                f" ({entry['approved']} of {entry['assets']} assets approved"
                + ("; drafts included)" if drafts else ")")
                + "".join(f"<br>⚠ {escape(w)}" for w in plan.warnings)
            )

    def _platform_changed(self) -> None:
        # Mailchimp and Klaviyo fill in their own unsubscribe link; a plain email needs one
        self.unsubscribe_url.setEnabled(self.email_platform.currentData() == "plain")

    def chosen_formats(self) -> list[str] | None:
        items = [self.formats.item(i) for i in range(self.formats.count())]
        chosen = [i.data(Qt.ItemDataRole.UserRole) for i in items
                  if i.checkState() == Qt.CheckState.Checked]  # fmt: skip
        return None if len(chosen) == len(items) else chosen

    def _browse(self) -> None:
        path = QFileDialog.getSaveFileName(
            self, "Save the bundle", self.destination.text(), "Campaign bundle (*.zip)"
        )[0]
        if path:
            self.destination.setText(path if path.endswith(".zip") else f"{path}.zip")

    def export(self):
        from studio.services.exports import export_campaign, load_or_create_identity

        workspace = self.session.workspace
        campaign_id = self.campaign.currentData()
        if workspace is None or campaign_id is None:
            return None
        path = workspace.path
        out = Path(self.destination.text().strip()).expanduser()
        overwrite = out.is_file()
        if overwrite and not self.confirm_replace(out):
            return None
        include_drafts = self.include_drafts.isChecked()
        formats = self.chosen_formats()
        sign = self.sign.isChecked()
        emails = {
            "email_platform": self.email_platform.currentData(),
            "unsubscribe_url": self.unsubscribe_url.text().strip(),
            "personal_picks": self.personal_picks.isChecked(),
            "meta_ad_sets": "per-ad" if self.fair_split.isChecked() else "per-test",
        }

        def work(sink, cancel):
            signer = load_or_create_identity()[0] if sign else None
            out.parent.mkdir(parents=True, exist_ok=True)
            with Workspace.open(path) as ws:
                return export_campaign(
                    ws, campaign_id, out, include_drafts=include_drafts, c2pa=signer,
                    progress=sink.update, cancel=cancel, formats=formats,
                    overwrite=overwrite, **emails,
                )  # fmt: skip

        self.result.clear()
        self.open_button.hide()
        task = self.session.tasks.run(
            "Exporting the bundle",
            work,
            on_success=self._exported,
            on_failure=lambda error: report_error(error, context="Exporting", parent=self),
        )
        self.progress.track(task)
        return task

    def confirm_replace(self, out: Path) -> bool:
        """Ask before a file at the destination is replaced (the user's say, every time)."""
        from PySide6.QtWidgets import QMessageBox

        answer = QMessageBox.question(
            self,
            "Replace the file?",
            f"{out.name} already exists in {out.parent}. Replace it with this bundle?",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        return answer == QMessageBox.StandardButton.Yes

    def _exported(self, report) -> None:
        self.last_report = report
        personal = (
            f"<b>Customer data:</b> personal/ holds {report.personal_rows:,} customers with "
            "their own picks; share it only with your email platform.<br>"
            if report.personal_rows
            else ""
        )
        self.result.setText(
            f"<b>Saved {report.path.name}</b> ({report.bytes / 1e6:.1f} MB): "
            f"{_count(report.creatives, 'creative')}, {_count(report.copy_assets, 'copy set')}, "
            f"{_count(report.emails, 'email')}, {_count(report.files, 'file')}"
            f"{', signed' if report.c2pa_signed else ''}.<br>{personal}"
            f"{report.path}<br>sha256 {report.sha256}"
            + "".join(f"<br><b>Note:</b> {escape(w)}" for w in report.warnings)
        )
        self.open_button.show()
        self.session.status_message.emit(f"Exported {report.path}")

    def open_folder(self) -> None:
        if self.last_report is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.last_report.path.parent)))
