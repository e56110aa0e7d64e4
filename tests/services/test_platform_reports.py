"""The platforms' real report files, written from their documented column sets: Meta Ads
Manager in English, German and French (by day, with its opening row of totals, with a
Result indicator), Google Ads (title lines, totals, '--', Interactions), and one source
per ad and day."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_results import DAYS, meta_campaign  # noqa: F401 (fixture)

from studio.core.errors import InputError
from studio.services import result_imports, results

META_EN = ["Reporting starts", "Reporting ends", "Ads", "Delivery", "Result indicator", "Results",
           "Reach", "Impressions", "Cost per result", "Amount spent (EUR)", "Link clicks",
           "Purchases"]  # fmt: skip
META_DE = ["Berichtsbeginn", "Berichtsende", "Anzeigenname", "Ergebnisindikator", "Ergebnisse",
           "Impressionen", "Ausgegebener Betrag (EUR)", "Link-Klicks", "Käufe"]  # fmt: skip
META_FR = ["Début des rapports", "Fin des rapports", "Nom de la publicité", "Impressions",
           "Clics sur un lien", "Achats", "Montant dépensé (EUR)"]  # fmt: skip


def _write(path: Path, lines: list[list[str]], delimiter: str = ",") -> Path:
    def cell(value: str) -> str:
        return f'"{value}"' if delimiter in value or '"' in value else value

    path.write_text(
        "\n".join(delimiter.join(cell(v) for v in line) for line in lines) + "\n",
        encoding="utf-8-sig",
    )
    return path


def _meta_rows(ads: list[str], header: list[str], indicator: str = "actions:link_click"):
    rows = [header]
    starts = {"Reporting starts", "Berichtsbeginn", "Début des rapports"}
    ends = {"Reporting ends", "Berichtsende", "Fin des rapports"}
    totals = {"Impressions": "60000", "Impressionen": "60000"}
    # Meta opens with a row of totals over the whole range that names no ad
    rows.append([DAYS[0] if h in starts else DAYS[-1] if h in ends else totals.get(h, "")
                 for h in header])  # fmt: skip
    for day in DAYS:
        for ad in ads:
            values = {
                "Reporting starts": day, "Reporting ends": day, "Berichtsbeginn": day,
                "Berichtsende": day, "Début des rapports": day, "Fin des rapports": day,
                "Ads": ad, "Anzeigenname": ad, "Nom de la publicité": ad, "Delivery": "active",
                "Result indicator": indicator, "Ergebnisindikator": indicator,
                "Results": "200", "Ergebnisse": "200", "Reach": "9000", "Impressions": "10000",
                "Impressionen": "10000", "Cost per result": "0.23", "Amount spent (EUR)": "45.10",
                "Ausgegebener Betrag (EUR)": "45,10", "Montant dépensé (EUR)": "45,10",
                "Link clicks": "120", "Link-Klicks": "120", "Clics sur un lien": "120",
                "Purchases": "3", "Käufe": "3", "Achats": "3",
                "Purchases conversion value": "135.30",
            }  # fmt: skip
            rows.append([values[h] for h in header])
    return rows


def test_meta_in_three_languages_with_its_totals_row(meta_campaign, tmp_path):  # noqa: F811
    ws, _, rows = meta_campaign
    ads = [row["Ad Name"] for row in rows[:2]]
    for name, header, delimiter in (("en.csv", META_EN, ","), ("de.csv", META_DE, ";"),
                                    ("fr.csv", META_FR, ";")):  # fmt: skip
        report = result_imports.import_results(
            ws, _write(tmp_path / name, _meta_rows(ads, header), delimiter)
        )
        assert report.summary_rows == 1, name  # the opening row of totals, not an ad
        assert report.matched_rows == len(ads) * len(DAYS), name
    stored = ws.query("SELECT clicks, conversions FROM performance_results LIMIT 1")[0]
    assert (stored["clicks"], stored["conversions"]) == (120, 3)  # link clicks and purchases


def test_results_that_are_not_purchases_are_refused_or_counted_by_choice(
    meta_campaign,  # noqa: F811
    tmp_path,
):
    ws, _, rows = meta_campaign
    ads = [rows[0]["Ad Name"]]
    header = [h for h in META_EN if h != "Purchases"]
    path = _write(tmp_path / "no-purchases.csv", _meta_rows(ads, header))
    with pytest.raises(InputError, match="counts actions:link_click, not purchases"):
        result_imports.import_results(ws, path)
    # the user's visible choice: these results are the conversions
    report = result_imports.import_results(ws, path, mapping={"Results": "conversions"})
    assert report.matched_rows == len(DAYS)
    assert ws.scalar("SELECT max(conversions) FROM performance_results") == 200
    bought = _meta_rows(ads, header, "actions:offsite_conversion.fb_pixel_purchase")
    purchases = _write(tmp_path / "purchases.csv", bought)
    assert result_imports.import_results(ws, purchases).matched_rows == len(DAYS)


GOOGLE_HEADER = ["Day", "Campaign", "Ad group", "Ad ID", "Final URL", "Impr.", "Clicks",
                 "Conversions", "Cost", "Currency code"]  # fmt: skip


def _google(rows, header=GOOGLE_HEADER):
    lines = [["Ad report"], ["November 2, 2026 - November 4, 2026"], header]
    for day in DAYS:
        for row in rows:
            values = {"Day": day, "Campaign": "Autumn", "Ad group": row["Ad Set Name"],
                      "Ad ID": "--", "Final URL": row["Link"], "Impr.": "1,000",
                      "Clicks": "25", "Interactions": "31", "Conversions": "2.00",
                      "Cost": "4.10", "Currency code": "EUR", "Conv. value": "8.20"}  # fmt: skip
            lines.append([values[h] for h in header])
    lines.append(["Total: Account", "--", "--", "--", "--", "6,000", "150", "12.00", "24.60",
                  "EUR"][: len(header)])  # fmt: skip
    return lines


def test_google_with_title_lines_totals_and_interactions(meta_campaign, tmp_path):  # noqa: F811
    ws, _, rows = meta_campaign
    report = result_imports.import_results(ws, _write(tmp_path / "google.csv", _google(rows[:2])))
    assert report.platform == "google" and report.summary_rows == 1
    assert report.matched_rows == 2 * len(DAYS)  # matched by utm_content in the Final URL
    interactions = [h if h != "Clicks" else "Interactions" for h in GOOGLE_HEADER]
    path = _write(tmp_path / "google-interactions.csv", _google(rows[:2], interactions))
    with pytest.raises(InputError, match=r"no clicks column .*'Interactions'"):
        result_imports.import_results(ws, path)
    counted = result_imports.import_results(ws, path, mapping={"Interactions": "clicks"})
    assert counted.matched_rows == 2 * len(DAYS)


def test_one_source_per_ad_and_day(meta_campaign, tmp_path):  # noqa: F811
    ws, _, rows = meta_campaign
    ad = rows[0]["Ad Name"]
    template = tmp_path / "template.csv"
    template.write_text(
        f"ad_name,date,impressions,clicks,conversions,spend\n{ad},{DAYS[0]},1000,10,1,5\n"
    )
    result_imports.import_results(ws, template)
    meta = _write(tmp_path / "meta.csv", _meta_rows([ad], META_EN[:4] + META_EN[7:]))
    report = result_imports.import_results(ws, meta)
    assert report.replaced_sources == ["generic"]
    day_rows = ws.query(
        "SELECT source, impressions FROM performance_results WHERE date = ?", (DAYS[0],)
    )
    assert [(r["source"], r["impressions"]) for r in day_rows] == [("meta", 10000)]


def test_skipping_every_bad_row_says_so(meta_campaign, tmp_path):  # noqa: F811
    ws, _, _ = meta_campaign
    path = tmp_path / "weekly.csv"
    path.write_text(
        "Reporting starts,Reporting ends,Ad name,Impressions,Link clicks\n"
        "x,2026-11-08,Spring hero,1000,12\n2026-11-02,2026-11-08,Spring hero,1000,12\n"
    )
    with pytest.raises(InputError) as raised:
        result_imports.import_results(ws, path, skip_bad_rows=True)
    assert "None of the 0 rows" not in str(raised.value)
    assert "cannot be read" in str(raised.value)


def test_the_next_split_never_starves_an_ad_below_the_minimum() -> None:
    """A lagging ad at 0 % would never reach the minimum data and its test would never be
    decided: until every ad has it, each gets at least 10 %."""
    from studio.stats.posteriors import LEARNING_FLOOR, Arm, estimate, next_split

    learning = estimate([Arm("a", 900, 40), Arm("b", 400, 2), Arm("c", 3000, 120)], seed=1)
    shares = next_split(learning, min_trials=1000)
    assert min(shares.values()) >= LEARNING_FLOOR - 1e-9
    assert abs(sum(shares.values()) - 1) < 1e-9
    decided = estimate([Arm("a", 9000, 400), Arm("b", 9000, 20)], seed=1)
    assert next_split(decided, min_trials=1000)["b"] < 0.01  # enough data: no floor


def test_roas_from_the_conversion_value_meta_and_google_report(
    meta_campaign,  # noqa: F811
    tmp_path,
):
    """Meta's "Purchases conversion value" and Google's "Conv. value" reach the results as
    ROAS per ad, with a range from the conversion rate's interval; a report without them
    shows no ROAS rather than 0."""
    ws, campaign_id, rows = meta_campaign
    ads = [row["Ad Name"] for row in rows[:2]]
    header = [*META_EN, "Purchases conversion value"]
    lines = _meta_rows(ads, header)  # 3 purchases worth 135.30 for 45.10 spent, per ad-day
    result_imports.import_results(ws, _write(tmp_path / "meta-value.csv", lines))
    found = results.campaign_results(ws, campaign_id, "cvr")
    ad = next(a for t in found.tests for a in t.ads if a.totals.clicks)
    spend, worth = ad.totals.spend, ad.totals.conversion_value
    assert worth == pytest.approx(135.30 * len(DAYS)) and spend == pytest.approx(45.10 * len(DAYS))
    assert ad.roas == pytest.approx(3.0)
    low, high = ad.roas_range()
    assert low < ad.roas < high
    assert ad.as_dict()["roas"] == pytest.approx(3.0)

    google = [*GOOGLE_HEADER[:8], "Conv. value", *GOOGLE_HEADER[8:]]
    lines = _google(rows[:2], google)  # 2 conversions worth 8.20 for 4.10 spent
    lines[-1] = [*lines[-1][:8], "49.20", *lines[-1][8:]]
    result_imports.import_results(ws, _write(tmp_path / "google-value.csv", lines))
    found = results.campaign_results(ws, campaign_id, "cvr")
    ad = next(a for t in found.tests for a in t.ads if a.totals.clicks)
    assert ad.roas == pytest.approx(2.0)  # the later Google file replaced Meta's days

    plain = _google(rows[:2])
    result_imports.import_results(ws, _write(tmp_path / "google-plain.csv", plain))
    found = results.campaign_results(ws, campaign_id, "cvr")
    assert all(a.roas is None for t in found.tests for a in t.ads)  # not 0, not the old value
