"""A text ad (SMS, search) is reviewed like a creative: selected, read, edited, approved,
and then it ships."""

from __future__ import annotations

import zipfile

from campaign_helpers import add_copy
from PySide6.QtCore import Qt

SMS = {
    "text": ["Espresso Dark Roast is back: syrupy, dark, made for espresso. Reply STOP to opt out"]
}


def test_a_text_ad_is_selected_read_and_approved_on_the_review_board(
    window, qtbot, segmented_path, tmp_path
):
    from studio.core.campaign_settings import CampaignSettings
    from studio.export import export_bundle
    from studio.services.campaigns import create_campaign
    from studio.storage import campaigns as store

    window.screens["Start"].open_workspace(segmented_path)
    ws = window.session.workspace
    segment = ws.scalar("SELECT min(id) FROM segments")
    product = ws.scalar("SELECT id FROM products WHERE sku = 'FH-COF-05'")
    campaign_id = create_campaign(
        ws, "Texts", pairs=[(segment, product)], channel_formats=["sms"],
        settings=CampaignSettings(landing_url="https://shop.example/espresso"),
    )  # fmt: skip
    (target,) = store.campaign_targets(ws, campaign_id)
    copy_id = add_copy(ws, campaign_id, target, SMS)
    window.session.data_changed.emit("campaigns")

    review = window.show_screen("Review board")
    review.campaign.setCurrentIndex(review.campaign.findData(campaign_id))
    review.show_campaign()
    group = review.tree.topLevelItem(0)
    assert group.childCount() == 0  # no picture: the group is the ad
    review.tree.setCurrentItem(group)
    assert review.selected is not None and review.selected.id == copy_id
    assert review.approve_button.isEnabled()
    assert "text ad" in review.preview.text()
    assert set(review.copy_editors) == set(SMS)
    qtbot.mouseClick(review.approve_button, Qt.MouseButton.LeftButton)
    assert store.get_asset(ws, copy_id).status == "approved"

    report = export_bundle(ws, campaign_id, tmp_path / "texts.zip")
    assert report.copy_assets == 1
    with zipfile.ZipFile(report.path) as bundle:
        assert "Espresso Dark Roast is back" in bundle.read("copy/copy.csv").decode()

    # the export screen says what it will ship before writing, then ships it with the
    # customers' personal picks when (and only when) they are ticked
    export = window.show_screen("Export")
    export.campaign.setCurrentIndex(export.campaign.findData(campaign_id))
    export._campaign_changed()
    assert "Will ship 0 creatives, 1 copy set and 1 email" in export.counts.text()
    assert not export.personal_picks.isChecked()
    assert not export.unsubscribe_url.isEnabled()  # Mailchimp fills in its own link
    export.personal_picks.setChecked(True)
    export.destination.setText(str(tmp_path / "with-picks.zip"))
    task = export.export()
    qtbot.waitUntil(lambda: not task.running, timeout=60_000)
    report = export.last_report
    members = ws.scalar("SELECT count(*) FROM segment_members WHERE segment_id = ?", (segment,))
    assert report.personal_rows == members
    assert "Customer data" in export.result.text()
    with zipfile.ZipFile(report.path) as bundle:
        assert "personal/mailchimp-contacts.csv" in bundle.namelist()
