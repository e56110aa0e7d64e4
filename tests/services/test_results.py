"""The results loop end to end: a campaign's variants leave in a bundle, the platforms'
reports come back (as Meta Ads Manager and Google Ads write them, messy ones too), each
test is judged with honest uncertainty, a person may overrule it, and the next round keeps
the winner, drops the losers and makes challengers."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from pathlib import Path

import pytest
from campaign_helpers import add_copy, run_queue

from studio.core.campaign_settings import CampaignSettings
from studio.core.errors import InputError
from studio.core.records import NewAsset
from studio.export.writer import export_bundle
from studio.services import campaigns as c
from studio.services import result_imports, results, rounds
from studio.services.planning import enqueue_generation
from studio.storage import campaigns as store
from studio.storage import results as results_store

META_COPY = {
    "primary_text": ["House Blend Beans, roasted for slow mornings."],
    "headline": ["House Blend Beans", "Roasted for slow mornings"],
    "description": ["Fresh beans"],
    "cta": ["Shop now"],
}
DAYS = ["2026-11-02", "2026-11-03", "2026-11-04"]


@pytest.fixture
def meta_campaign(demo_ws, tmp_path):
    """A Meta campaign testing a headline and a colourway on every creative, generated,
    approved and exported; returns (workspace, campaign id, the Meta sheet's rows)."""
    ws = demo_ws
    campaign_id = c.create_campaign(
        ws, "Autumn", pairs=[(1, 1)], channel_formats=["meta_feed"],
        settings=CampaignSettings(variant_axes={"headline": 1, "colourway": 1}, landing_url="https://shop.example/beans"),
    )  # fmt: skip
    target = store.campaign_targets(ws, campaign_id)[0]
    add_copy(ws, campaign_id, target, META_COPY)
    enqueue_generation(ws, campaign_id)
    run_queue(ws)
    c.approve_all(ws, campaign_id)
    bundle = export_bundle(ws, campaign_id, tmp_path / "autumn.zip").path
    with zipfile.ZipFile(bundle) as archive:
        sheet = archive.read("ads/meta-ads-bulk.csv").decode("utf-8-sig")
    return ws, campaign_id, list(csv.DictReader(io.StringIO(sheet)))


def meta_report(rows: list[dict], rates: dict[str, float], path: Path, **style) -> Path:
    """A Meta Ads Manager export (level Ad, breakdown By day) of those ads."""
    delimiter = style.get("delimiter", ",")
    header = style.get("header", [
        "Reporting starts", "Reporting ends", "Ad name", "Ad set name", "Impressions",
        "Link clicks", "Purchases", "Amount spent (EUR)",
    ])  # fmt: skip
    lines = [delimiter.join(f'"{h}"' for h in header)]
    for day in DAYS:
        for row in rows:
            impressions = 20_000
            clicks = round(impressions * rates.get(row["Ad Name"], 0.01))
            spend = f"{impressions / 1000 * 4.5:.2f}"
            if style.get("decimal_comma"):
                spend = spend.replace(".", ",")
            values = [day, day, row["Ad Name"], row["Ad Set Name"], f"{impressions}",
                      f"{clicks}", f"{clicks // 20}", spend]  # fmt: skip
            lines.append(delimiter.join(f'"{v}"' for v in values))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8-sig")
    return path


def test_every_ad_row_carries_its_key_and_a_tagged_link(meta_campaign):
    ws, campaign_id, rows = meta_campaign
    keys = results.ad_keys(ws, campaign_id)
    assert len(rows) == 8  # 2 formats × (creative + 3 variants)
    for row in rows:
        key = row["Ad Name"].split()[-1]
        assert key in keys
        assert row["Link"] == f"https://shop.example/beans?utm_content={key}"


def test_a_meta_report_is_imported_matched_and_judged(meta_campaign, tmp_path):
    ws, campaign_id, rows = meta_campaign
    headline = next(r["Ad Name"] for r in rows if "social_1080x1080" in r["Ad Name"]
                    and _axes(ws, r) == {"headline": "1"})  # fmt: skip
    report = meta_report(rows, {headline: 0.02}, tmp_path / "meta.csv")

    imported = result_imports.import_results(ws, report)
    assert (imported.platform, imported.matched_rows, imported.days_new) == ("meta", 24, 24)
    assert imported.unmatched == [] and imported.days_replaced == 0

    found = results.campaign_results(ws, campaign_id)
    assert len(found.tests) == 2  # one per image format
    square = next(t for t in found.tests if t.format == "social_1080x1080")
    winner = square.ad(square.winner_id)
    assert square.verdict.status == "winner" and winner.attributes == {"headline": "1"}
    assert winner.estimate.p_best > 0.95
    assert winner.estimate.low < 0.02 < winner.estimate.high
    assert winner.totals.impressions == 60_000 and winner.totals.clicks == 1_200
    # money: 4.50 EUR per thousand impressions, so a 2 % click rate costs 0.225 a click
    assert winner.cost_per_click == pytest.approx(270 / 1_200)
    assert winner.cost_per_conversion == pytest.approx(270 / 60)
    low, high = winner.cost_range("ctr")
    assert low < winner.cost_per_click < high
    shares = [ad.share for ad in square.ads]
    assert sum(shares) == pytest.approx(1.0) and max(shares) == winner.share
    # the other format's ads all did the same: no winner, more traffic named
    tall = next(t for t in found.tests if t.format == "social_1080x1350")
    assert tall.verdict.status == "keep testing" and tall.winner_id is None

    # the same days again replace, never double
    again = result_imports.import_results(ws, report)
    assert (again.days_new, again.days_replaced) == (0, 24)
    square_again = next(
        t for t in results.campaign_results(ws, campaign_id).tests if t.test_id == square.test_id
    )
    assert square_again.ad(winner.asset.id).totals.impressions == 60_000


def test_what_wins_for_the_segment_is_told_with_its_uncertainty(meta_campaign, tmp_path):
    ws, campaign_id, rows = meta_campaign
    # every ad showing the alternate headline doubles its clicks, in both formats
    headline = [r["Ad Name"] for r in rows if _axes(ws, r).get("headline") == "1"]
    result_imports.import_results(
        ws, meta_report(rows, dict.fromkeys(headline, 0.02), tmp_path / "m.csv")
    )
    found = results.campaign_results(ws, campaign_id)
    effects = {(e.axis, e.value): e for e in found.effects if e.segment is not None}
    lift = effects[("headline", "1")]
    assert lift.clear and 0.7 < lift.lift < 1.3 and lift.low > 0.5
    colourway = effects[("colourway", _colourway(ws, rows))]
    assert not colourway.clear and colourway.low < 0 < colourway.high
    # two ads tie at the top: no premature winner, the split goes to them
    for test in found.tests:
        assert test.verdict.status == "keep testing" and test.winner_id is None
        top = sorted(test.ads, key=lambda a: a.share or 0)[-2:]
        assert all(a.attributes.get("headline") == "1" for a in top)
        assert sum(a.share for a in top) > 0.99


def test_a_person_can_overrule_the_call_and_it_is_recorded(meta_campaign, tmp_path):
    ws, campaign_id, rows = meta_campaign
    result_imports.import_results(ws, meta_report(rows, {}, tmp_path / "flat.csv"))
    test = results.campaign_results(ws, campaign_id).tests[0]
    control = test.ads[0].asset.id
    decision = results.choose_winner(ws, control, note="brand guidelines")
    assert (decision.source, decision.winner_id, decision.note) == (
        "override", control, "brand guidelines",
    )  # fmt: skip
    again = next(
        t for t in results.campaign_results(ws, campaign_id).tests if t.test_id == test.test_id
    )
    assert again.winner_id == control and again.override is not None
    assert decision.evidence["ads"]  # the figures the choice was made on are kept

    # and taken back: the studio's own verdict applies again
    assert results.undo_winner(ws, control) == test.test_id
    undone = next(
        t for t in results.campaign_results(ws, campaign_id).tests if t.test_id == test.test_id
    )
    assert undone.override is None and undone.winner_id == test.winner_id
    with pytest.raises(InputError, match="no winner of yours"):
        results.undo_winner(ws, control)


def test_ads_a_round_dropped_leave_the_test(meta_campaign, tmp_path):
    ws, campaign_id, rows = meta_campaign
    result_imports.import_results(ws, meta_report(rows, {}, tmp_path / "flat.csv"))
    test = results.campaign_results(ws, campaign_id).tests[0]
    dropped = test.ads[-1].asset.id
    store.set_statuses(ws, [dropped], "rejected")
    again = next(
        t for t in results.campaign_results(ws, campaign_id).tests if t.test_id == test.test_id
    )
    gone = next(ad for ad in again.ads if ad.asset.id == dropped)
    assert gone.estimate is None and gone.share is None  # shown, no longer compared
    live = [ad for ad in again.ads if ad.asset.id != dropped]
    assert sum(ad.share or 0 for ad in live) == pytest.approx(1.0)
    assert sum(ad.estimate.p_best for ad in live if ad.estimate) == pytest.approx(1.0)


def test_the_next_round_keeps_the_winner_drops_the_losers_and_makes_challengers(
    meta_campaign, tmp_path
):
    ws, campaign_id, rows = meta_campaign
    headline = [r["Ad Name"] for r in rows if _axes(ws, r) == {"headline": "1"}]
    result_imports.import_results(
        ws, meta_report(rows, dict.fromkeys(headline, 0.02), tmp_path / "m.csv")
    )
    plan = rounds.plan_next_round(ws, campaign_id)
    for test in plan.tests:
        winner = next(a for a in plan.results.tests if a.test_id == test.test_id).ad(test.winner_id)
        assert winner.attributes == {"headline": "1"}
        assert len(test.drop) == 3 and test.keep == [test.winner_id]
        assert test.challengers and all(ch["headline"] == 1 for ch in test.challengers)

    started = rounds.start_next_round(ws, campaign_id)
    assert started.number == 2 and len(started.job_ids) == 2
    dropped = [i for t in started.plan.tests for i in t.drop]
    assert {store.get_asset(ws, i).status for i in dropped} == {"rejected"}
    decisions = results_store.decisions(ws, campaign_id)
    assert [d.source for d in decisions] == ["studio", "studio"]
    assert all(d.round_id == started.round_id and d.evidence["ads"] for d in decisions)

    run_queue(ws)
    for test in started.plan.tests:
        made = [
            v.content["axes"] for v in store.current_children(ws, test.test_id)
            if v.status == "draft"
        ]  # fmt: skip
        assert made == [{k: v for k, v in ch.items()} for ch in test.challengers]
    c.approve_all(ws, campaign_id)
    bundle = export_bundle(ws, campaign_id, tmp_path / "round2.zip").path
    with zipfile.ZipFile(bundle) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        page = archive.read("results.html").decode()
    (round_,) = manifest["rounds"]
    keys = results.ad_keys(ws, campaign_id)
    by_id = {i: k for k, i in keys.items()}
    assert round_["number"] == 2
    assert {t["winner_key"] for t in round_["tests"]} == {
        by_id[t.winner_id] for t in started.plan.tests
    }
    assert all(k in keys for t in round_["tests"] for k in t["drop"])
    assert "asset_id" not in json.dumps(round_) and "test_id" not in json.dumps(round_)
    assert "Round 2" in page and "New challenger" in page and "dropped" in page


def test_messy_reports_are_read_as_written(meta_campaign, tmp_path):
    ws, campaign_id, rows = meta_campaign
    german = [
        "Berichtsbeginn", "Berichtsende", "Anzeigenname", "Name der Anzeigengruppe",
        "Impressionen", "Link-Klicks", "Käufe", "Ausgegebener Betrag (EUR)",
    ]  # fmt: skip
    path = meta_report(
        rows, {}, tmp_path / "de.csv", delimiter=";", header=german, decimal_comma=True
    )
    with path.open("a", encoding="utf-8") as handle:  # an ad of another account
        handle.write('"2026-11-04";"2026-11-04";"Winter sale 3";"x";"100";"2";"0";"0,45"\n')
    imported = result_imports.import_results(ws, path)
    assert imported.matched_rows == 24
    assert [(p.line, p.reason) for p in imported.unmatched] == [
        (26, "no ad of this workspace in 'Winter sale 3'")
    ]
    totals = results_store.totals(ws, list(results.ad_keys(ws, campaign_id).values()))
    assert sum(t.spend for t in totals.values()) == pytest.approx(24 * 90.0)


def test_a_bad_row_stops_the_import_and_nothing_is_written(meta_campaign, tmp_path):
    ws, _, rows = meta_campaign
    path = meta_report(rows, {}, tmp_path / "bad.csv")
    text = path.read_text(encoding="utf-8-sig").splitlines()
    text[2] = text[2].replace('"20000"', '"200"', 1)  # 200 impressions, 200 clicks → fine
    text[3] = text[3].replace('"2026-11-02","2026-11-02"', '"2026-11-02","2026-11-08"')
    path.write_text("\n".join(text) + "\n", encoding="utf-8")
    with pytest.raises(InputError) as raised:
        result_imports.import_results(ws, path)
    assert "line 3" not in str(raised.value)
    assert "line 4" in str(raised.value) and "covers 2026-11-02 to 2026-11-08" in str(raised.value)
    assert ws.scalar("SELECT COUNT(*) FROM performance_results") == 0
    imported = result_imports.import_results(ws, path, skip_bad_rows=True)
    assert imported.matched_rows == 23 and [p.line for p in imported.problems] == [4]


def test_a_report_of_no_ad_of_this_workspace_is_refused(demo_ws, tmp_path):
    path = tmp_path / "other.csv"
    path.write_text(
        "Reporting starts,Reporting ends,Ad name,Impressions,Link clicks\n"
        "2026-11-02,2026-11-02,Spring hero,1000,12\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError, match=r"None of the 1 rows of other\.csv names an ad"):
        result_imports.import_results(demo_ws, path)


def test_a_google_ads_report_matches_by_the_link(demo_ws, tmp_path):
    """Responsive search ads: copy on two message angles, matched back by utm_content in
    the Final URL of a Google Ads "Excel CSV" (UTF-16, tabs, title lines, totals)."""
    ws = demo_ws
    campaign_id = c.create_campaign(
        ws, "Search", pairs=[(1, 1)], channel_formats=["google_rsa"],
        settings=CampaignSettings(landing_url="https://shop.example/beans"),
    )  # fmt: skip
    target = store.campaign_targets(ws, campaign_id)[0]
    rsa = {"headline": ["House Blend Beans", "Fresh beans", "Roasted weekly"],
           "description": ["House Blend Beans, roasted for slow mornings.",
                           "Fresh beans for your espresso machine."]}  # fmt: skip
    base = add_copy(ws, campaign_id, target, rsa)
    detail = {**rsa, "headline": ["House Blend Beans, 1 kg", *rsa["headline"][1:]]}
    store.insert_asset(ws, NewAsset(
        kind="copy", generator="copy", campaign_id=campaign_id, target_id=target.id,
        channel="google", format="google_rsa", parent_id=base,
        content={"fields": detail, "passed": True, "angle": "detail"}, model_id="test-copy",
    ))  # fmt: skip
    c.approve_all(ws, campaign_id)
    bundle = export_bundle(ws, campaign_id, tmp_path / "search.zip").path
    with zipfile.ZipFile(bundle) as archive:
        sheet = archive.read("ads/google-ads-editor-rsa.csv").decode("utf-8-sig")
    urls = [row["Final URL"] for row in csv.DictReader(io.StringIO(sheet))]
    assert len(urls) == 2 and all("utm_content=copy-" in u for u in urls)
    base_key = next(k for k, i in results.ad_keys(ws, campaign_id).items() if i == base)

    lines = ["Ad report", "November 2, 2026 - November 3, 2026",
             "\t".join(["Day", "Campaign", "Ad group", "Final URL", "Impr.", "Clicks",
                        "Conversions", "Cost", "Currency code"])]  # fmt: skip
    for day in ("Nov 2, 2026", "Nov 3, 2026"):
        for url in urls:
            clicks = "1,210" if base_key in url else "140"
            lines.append("\t".join([day, "Search", "x", url, "12,000", clicks, "3.50",
                                    "1,234.56", "EUR"]))  # fmt: skip
    lines.append("\t".join(["Total: Account", "--", "--", "--", "48,000", "2,700", "14.00",
                            "4,938.24", "EUR"]))  # fmt: skip
    path = tmp_path / "google.csv"
    path.write_bytes("\r\n".join(lines).encode("utf-16"))

    imported = result_imports.import_results(ws, path)
    assert (imported.platform, imported.matched_rows, imported.summary_rows) == ("google", 4, 1)
    found = results.campaign_results(ws, campaign_id)
    (test,) = found.tests
    assert test.test_id == base and [a.attributes for a in test.ads] == [{}, {"angle": "detail"}]
    assert test.ads[0].totals.clicks == 2_420 and test.ads[0].totals.spend == pytest.approx(2469.12)
    assert test.ads[0].totals.conversions == pytest.approx(7.0)
    assert test.verdict.status == "winner" and test.winner_id == base


def test_conversion_rates_leave_out_the_days_conversions_still_arrive(meta_campaign, tmp_path):
    ws, campaign_id, rows = meta_campaign
    result_imports.import_results(ws, meta_report(rows, {}, tmp_path / "m.csv"))
    found = results.campaign_results(ws, campaign_id, metric="cvr")
    assert found.conversions_until == "2026-11-03"  # 2 days of lag: the last two are out
    ad = found.tests[0].ads[0]
    assert ad.estimate.trials == 200 and ad.totals.clicks == 3 * 200


def _axes(ws, row: dict) -> dict:
    key = row["Ad Name"].split()[-1]
    asset = store.get_asset(ws, results.ad_keys(ws, row_campaign(ws))[key])
    return {k: str(v) for k, v in (asset.content.get("axes") or {}).items()}


def row_campaign(ws) -> int:
    return int(ws.scalar("SELECT id FROM campaigns WHERE name = 'Autumn'"))


def _colourway(ws, rows: list[dict]) -> str:
    return next(_axes(ws, r)["colourway"] for r in rows if set(_axes(ws, r)) == {"colourway"})


def test_challengers_are_compared_with_the_winner_over_the_same_days(meta_campaign, tmp_path):
    """Round 2's challengers start days after the winner: the test compares them on the
    days all ran, not the winner's whole history (another week, another audience)."""
    ws, campaign_id, rows = meta_campaign
    headline = [r["Ad Name"] for r in rows if _axes(ws, r) == {"headline": "1"}]
    result_imports.import_results(
        ws, meta_report(rows, dict.fromkeys(headline, 0.02), tmp_path / "m.csv")
    )
    rounds.start_next_round(ws, campaign_id)
    run_queue(ws)
    c.approve_all(ws, campaign_id)
    bundle = export_bundle(ws, campaign_id, tmp_path / "round2.zip").path
    with zipfile.ZipFile(bundle) as archive:
        sheet = archive.read("ads/meta-ads-bulk.csv").decode("utf-8-sig")
    live = list(csv.DictReader(io.StringIO(sheet)))
    later = ["2026-11-09", "2026-11-10"]
    report = meta_report(live, {}, tmp_path / "round2.csv")
    text = report.read_text(encoding="utf-8-sig")
    for old, new in zip(DAYS, later, strict=False):
        text = text.replace(old, new)
    report.write_text("\n".join(line for line in text.splitlines() if DAYS[2] not in line),
                      encoding="utf-8-sig")  # fmt: skip
    result_imports.import_results(ws, report)

    found = results.campaign_results(ws, campaign_id, "ctr")
    compared = [t for t in found.tests if t.compared_since]
    assert compared and {t.compared_since for t in compared} == {later[0]}
    for test in compared:
        winner = test.ad(next(a.asset.id for a in test.ads if a.totals.days == 5))
        assert winner.totals.impressions == 5 * 20_000  # shown whole …
        assert winner.estimate.trials == 2 * 20_000  # … compared on the shared days
        assert test.as_dict()["compared_since"] == later[0]
