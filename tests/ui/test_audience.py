"""Audience: segmenting from the window, segment cards, the paged customers table."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt

from studio.ui.viewmodels.customers import customer_model, customer_source


def test_segmenting_shows_cards_and_filters_customers(window, qtbot, demo_path):
    window.screens["Start"].open_workspace(demo_path)
    screen = window.show_screen("Audience")
    assert not screen.card_widgets  # nothing segmented yet: an empty state
    task = screen.resegment(k=4, seed=1)
    with qtbot.waitSignal(task.ended, timeout=120_000):
        pass
    qtbot.waitUntil(lambda: len(screen.card_widgets) >= 4, timeout=10_000)
    stored = window.session.workspace.query(
        "SELECT id, name, size FROM segments WHERE kind = 'cluster' ORDER BY id"
    )
    assert [s["id"] for s in stored] == list(screen.card_widgets)
    first = stored[0]
    card = screen.card_widgets[first["id"]]
    assert len(card.chart.bars) >= 2
    qtbot.mouseClick(card, Qt.MouseButton.LeftButton)
    assert screen.selected_segment == first["id"]
    assert screen.customers.total == first["size"]
    assert first["name"] in screen.table_title.text()
    assert screen.run.count() == 1


def test_customer_table_pages_through_many_rows(workspace):
    with workspace.write() as db:
        db.conn.executemany(
            "INSERT INTO customers (external_id, name) VALUES (?, ?)",
            [(f"C{i:06d}", f"Customer {i}") for i in range(5000)],
        )
    model = customer_model()
    model.set_source(*customer_source(workspace, None))
    assert model.total == 5000
    assert model.rowCount() == model.page_size  # only the first page is read
    while model.canFetchMore(QModelIndex()):
        model.fetchMore(QModelIndex())
    assert model.rowCount() == 5000
    ids = [model.index(r, 0).data() for r in range(model.rowCount())]
    assert ids == sorted(ids) and len(set(ids)) == 5000


def test_reopened_workspace_keeps_runs(window, qtbot, segmented_path):
    window.screens["Start"].open_workspace(segmented_path)
    screen = window.show_screen("Audience")
    assert screen.run.count() == 1
    assert len(screen.card_widgets) >= 3


def test_rule_segment_is_checked_saved_and_listed(window, qtbot, demo_path):
    window.screens["Start"].open_workspace(demo_path)
    screen = window.show_screen("Audience")
    editor = screen.rule_editor
    editor.text.setText("spend >> 5")
    assert not editor.check()
    assert editor.check_label.text().startswith("✗")
    editor.name.setText("Big spenders")
    editor.text.setText("spend > 100")
    task = editor.save()
    with qtbot.waitSignal(task.ended, timeout=120_000):
        pass
    ws = window.session.workspace
    stored = ws.query("SELECT id, size FROM segments WHERE kind = 'rule'")
    assert len(stored) == 1 and stored[0]["size"] > 0
    qtbot.waitUntil(lambda: editor.rules.count() == 1, timeout=5_000)
    assert "Big spenders" in editor.rules.item(0).text()
    assert screen.selected_segment == stored[0]["id"]
    assert screen.customers.total == stored[0]["size"]
    assert ws.scalar(
        "SELECT count(*) FROM recommendations WHERE segment_id = ?", (stored[0]["id"],)
    )


def test_thin_data_is_said_on_the_audience_screen(window, qtbot, tmp_path):
    from shop_exports import write_invoice_lines

    from studio.data.csv_import import import_files
    from studio.services.audience import find_segments
    from studio.storage.workspace import Workspace

    with Workspace.create(tmp_path / "gift-shop") as ws:
        import_files(ws, orders=write_invoice_lines(tmp_path / "lines.csv", invoices=300))
        find_segments(ws, seed=0)
    window.screens["Start"].open_workspace(tmp_path / "gift-shop")
    screen = window.show_screen("Audience")
    assert not screen.thin_data.isHidden()
    assert "only 6 days" in screen.thin_data.text()
    from studio.ui.screens.audience import segment_bars, segment_facts

    for segment in screen.segments:  # no recency on six days of orders
        assert "last order" not in segment_facts(segment)
        assert "Recency" not in [bar.label for bar in segment_bars(segment, 10)]
