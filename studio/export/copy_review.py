"""The copy evaluation's HTML review sheet: every returned candidate with its brief, for a
person to read and mark (ship as is, light edit, rewrite), and to download the marks.

One self-contained file: no scripts or fonts from elsewhere, every value escaped.
"""

from __future__ import annotations

import html
import json
from pathlib import Path
from typing import Any

from studio.storage.outputs import write_output

#: the first line of every sheet: how the studio recognises a sheet it may replace
MARKER = "<!-- Campaign Studio copy review sheet -->"

_STYLE = """
body { font: 15px/1.45 system-ui, sans-serif; margin: 2rem auto; max-width: 1100px;
       color: #1d232a }
h1 { font-size: 1.5rem }
h2 { font-size: 1.05rem; margin: 2rem 0 .3rem }
.facts { color: #4a5560; margin: .2rem 0 .6rem }
table { border-collapse: collapse; width: 100% }
td, th { border-bottom: 1px solid #dde3e8; padding: .35rem .5rem; text-align: left;
         vertical-align: top }
th { font-weight: 600; color: #4a5560 }
.text { width: 52% }
.source { font-size: .8rem; color: #4a5560 }
.fail { color: #a11; font-size: .85rem }
.marks label { margin-right: .4rem; white-space: nowrap }
summary { cursor: pointer }
.summary td { border: none; padding: .15rem .8rem .15rem 0 }
button { font: inherit; padding: .4rem .9rem; margin: 1rem 0 }
"""
_SCRIPT = """
function marks() {
  const rows = [["brief", "field", "text", "mark", "note"]];
  document.querySelectorAll("tr[data-brief]").forEach(r => {
    const m = r.querySelector("input[type=radio]:checked");
    const note = r.querySelector("input[type=text]").value;
    rows.push([r.dataset.brief, r.dataset.field, r.dataset.text, m ? m.value : "", note]);
  });
  const csv = rows.map(r => r.map(v => '"' + String(v).replace(/"/g, '""') + '"').join(","))
    .join("\\n");
  const a = document.createElement("a");
  a.href = URL.createObjectURL(new Blob([csv], {type: "text/csv"}));
  a.download = "copy-review-marks.csv";
  a.click();
}
"""
MARKS = (("ship", "ship as is"), ("edit", "light edit"), ("rewrite", "rewrite"))


def _e(value: Any) -> str:
    return html.escape(str(value), quote=True)


def review_sheet(evaluation: dict[str, Any], briefs: dict[str, dict[str, Any]]) -> str:
    """The sheet's HTML. ``briefs`` maps brief ids to the briefs file's entries."""
    rates = evaluation["rule_failure_rates"]
    summary = "".join(
        f"<tr><td>{_e(rule)}</td><td>{rate:.1%} of considered</td>"
        f"<td>{evaluation['returned_failures'].get(rule, 0)} returned</td></tr>"
        for rule, rate in rates.items()
    )
    parts = [
        MARKER,
        "<!doctype html><html lang=en><meta charset=utf-8>",
        f"<title>Copy review: {_e(evaluation['model_id'])}</title><style>{_STYLE}</style>",
        f"<h1>Copy review — {_e(evaluation['model_id'])}</h1>",
        f"<p>{evaluation['briefs']} briefs, {evaluation['returned']} returned candidates; "
        f"{evaluation['fields_covered']} of {evaluation['fields']} fields have a candidate "
        f"passing every check, {evaluation['fields_led_by_model']} led by model-written copy. "
        "Mark each candidate, then download the marks.</p>",
        f"<details><summary>Checks: what they caught and what got through</summary>"
        f"<table class=summary>{summary}</table></details>",
        "<button onclick=marks()>Download marks (CSV)</button>",
    ]
    for report in evaluation["reports"]:
        brief = briefs.get(report["id"], {})
        product = brief.get("product", {})
        segment = brief.get("segment") or {}
        name, category = product.get("name", ""), product.get("category", "")
        facts = f"{name} ({category}): {product.get('description', '')}"
        title = f"{report['id']} · {report['language']} · {report['channel_format']}"
        parts.append(
            f"<h2>{_e(title)}</h2>"
            f"<p class=facts>{_e(facts)}<br>For: {_e(segment.get('name', '—'))}</p>"
            "<table><tr><th>field</th><th class=text>copy</th><th>source</th><th>mark</th></tr>"
        )
        for item in report["returned"]:
            failed = "; ".join(r for reasons in item["failed"].values() for r in reasons)
            radios = "".join(
                f"<label><input type=radio name={_e(report['id'] + item['field'] + str(i))}"
                f" value={value}>{label}</label>"
                for value, label in MARKS
                for i in [report["returned"].index(item)]
            )
            parts.append(
                f"<tr data-brief='{_e(report['id'])}' data-field='{_e(item['field'])}' "
                f"data-text='{_e(item['text'])}'><td>{_e(item['field'])}</td>"
                f"<td class=text>{_e(item['text'])}"
                + (f"<div class=fail>fails: {_e(failed)}</div>" if failed else "")
                + f"</td><td class=source>{_e(item['source'])}<br>{len(item['text'])} chars</td>"
                f"<td class=marks>{radios}<br><input type=text placeholder=note></td></tr>"
            )
        if not report["returned"]:
            parts.append("<tr><td colspan=4 class=fail>no passing copy</td></tr>")
        for problem in report["problems"]:
            parts.append(f"<tr><td colspan=4 class=fail>{_e(problem)}</td></tr>")
        parts.append("</table>")
    parts.append(f"<script>{_SCRIPT}</script></html>")
    return "\n".join(parts)


def write_review_sheet(
    path: Path, evaluation: dict[str, Any], briefs_file: Path, *, overwrite: bool = False
) -> Path:
    raw = json.loads(Path(briefs_file).read_text(encoding="utf-8"))
    briefs = {str(b.get("id", "")): b for b in raw.get("briefs", []) if isinstance(b, dict)}
    data = review_sheet(evaluation, briefs).encode("utf-8")
    return write_output(path, data, overwrite=overwrite, what="review sheet")
