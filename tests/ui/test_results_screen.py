"""The Results screen in the real window: a report imported in the background, a test's
ads with intervals and P(best), a winner of the user's own, and the next round."""

from __future__ import annotations

from pathlib import Path

from campaign_helpers import add_copy
from PySide6.QtWidgets import QInputDialog, QMessageBox

from studio.core.records import NewAsset
from studio.services import campaigns as c
from studio.services import result_imports, results
from studio.storage import campaigns as store
from studio.storage.workspace import Workspace
from studio.ui.screens.results import COLUMNS
from studio.ui.traffic_plan_dialog import TrafficPlanDialog

RSA = {
    "headline": ["House Blend Beans", "Fresh beans", "Roasted weekly"],
    "description": ["House Blend Beans, roasted for slow mornings.", "Fresh beans, weekly."],
}


def _search_campaign(path: Path, tmp_path: Path) -> tuple[int, int, Path]:
    """A campaign of two responsive search ads (its copy and a detail angle), and the
    studio's results template filled in: the angle clearly wins."""
    with Workspace.open(path) as ws:
        campaign_id = c.create_campaign(
            ws, "Search", pairs=[(1, 1)], channel_formats=["google_rsa"]
        )
        target = store.campaign_targets(ws, campaign_id)[0]
        base = add_copy(ws, campaign_id, target, RSA)
        angle = store.insert_asset(ws, NewAsset(
            kind="copy", generator="copy", campaign_id=campaign_id, target_id=target.id,
            channel="google", format="google_rsa", parent_id=base, model_id="test-copy",
            content={"fields": {**RSA, "headline": ["Beans, 1 kg", *RSA["headline"][1:]]},
                     "passed": True, "angle": "detail"},
        ))  # fmt: skip
        template = result_imports.results_template(ws, campaign_id).decode().splitlines()
        angle_key = next(k for k, i in results.ad_keys(ws, campaign_id).items() if i == angle)
    rows = [template[0]]
    for line in template[1:]:
        name = line.split(",")[0]
        clicks = 400 if name.endswith(angle_key) else 200
        rows += [f"{name},2026-11-0{d},10000,{clicks},{clicks // 10},45.00" for d in (2, 3, 4)]
    report = tmp_path / "filled.csv"
    report.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return campaign_id, angle, report


def test_results_are_imported_judged_and_overruled(window, qtbot, segmented_path, tmp_path,
                                                    monkeypatch):  # fmt: skip
    campaign_id, angle, report = _search_campaign(segmented_path, tmp_path)
    window.screens["Start"].open_workspace(segmented_path)
    screen = window.show_screen("Results")
    assert screen.empty.isVisible() and not screen.next_button.isEnabled()

    task = screen.import_report(report)
    with qtbot.waitSignal(task.ended, timeout=60_000):
        pass
    qtbot.waitUntil(lambda: screen.tests.count() == 1, timeout=10_000)
    assert "winner" in screen.tests.item(0).text()
    assert screen.table.rowCount() == 2
    columns = {name: k for k, name in enumerate(COLUMNS)}
    cells = {screen.table.item(r, 0).text(): [screen.table.item(r, k).text()
                                              for k in range(len(COLUMNS))]
             for r in range(2)}  # fmt: skip
    assert cells["angle: detail"][columns[""]] == "★ winner"
    assert cells["angle: detail"][columns["Impr."]] == "30,000"
    assert cells["control"][columns["Rate (95 %)"]].startswith("2.0")  # 2.00 % (…–…)
    assert [row.highlight for row in screen.rates.rows] == [False, True]
    assert screen.verdict.text().startswith("Winner: P(best)")

    # the user prefers the control: recorded with the reason, shown as their pick
    control_row = next(r for r in range(2) if screen.table.item(r, 0).text() == "control")
    screen.table.selectRow(control_row)
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("brand voice", True))
    screen.choose_winner()
    qtbot.waitUntil(lambda: "your pick" in screen.tests.item(0).text(), timeout=10_000)
    assert screen.verdict.text() == "Winner chosen by you: brand voice."

    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    screen.plan_next_round()
    ws = window.session.workspace
    assert store.get_asset(ws, angle).status == "rejected"
    assert ws.scalar("SELECT COUNT(*) FROM rounds WHERE campaign_id = ?", (campaign_id,)) == 1


def test_a_test_is_planned_in_full_weeks_before_it_starts(qtbot) -> None:
    dialog = TrafficPlanDialog()
    qtbot.addWidget(dialog)
    dialog.rate.setValue(1.2)
    dialog.lift.setValue(20)
    dialog.ads.setValue(4)
    dialog.daily.setValue(3_000)
    assert "47,345 impressions per ad" in dialog.answer.text()
    assert "10 full weeks" in dialog.answer.text()
    dialog.judge_on.setCurrentIndex(dialog.judge_on.findData("cvr"))
    assert "clicks per ad" in dialog.answer.text()
