"""What wins per segment: lifts with partial pooling, and "clear" only when the table's
many lifts cannot explain it by chance."""

from __future__ import annotations

from studio.stats.attributes import Observation, attribute_effects, winning_values

AXES = {"colourway": ("navy", "sand", "rose"), "layout": ("panel", "split"), "angle": ("detail",)}


def _observations(clicks: dict[str, int], shows: int = 2_000) -> list[Observation]:
    out = [Observation("Regulars", "t1", {}, shows, clicks.get("control", 2))]
    for axis, values in AXES.items():
        for value in values:
            key = f"{axis}={value}"
            out.append(Observation("Regulars", "t1", {axis: value}, shows, clicks.get(key, 2)))
    return out


def test_a_lift_from_a_handful_of_clicks_is_not_clear_and_builds_no_challenger() -> None:
    effects = attribute_effects(_observations({"colourway=navy": 6}))
    navy = next(e for e in effects if e.segment == "Regulars" and e.value == "navy")
    # 6 clicks against 2 reads as +200 %; on so few clicks, among many lifts, it is noise
    assert not navy.clear and navy.low < 0 < navy.high
    assert winning_values(effects, "Regulars") == {}


def test_a_large_lift_on_plenty_of_data_is_clear_and_is_built_on() -> None:
    base = {key: 200 for key in ["control"] + [f"{a}={v}" for a, vs in AXES.items() for v in vs]}
    effects = attribute_effects(_observations({**base, "colourway=sand": 400}, shows=20_000))
    sand = next(e for e in effects if e.segment == "Regulars" and e.value == "sand")
    assert sand.clear and sand.lift > 0.5
    assert winning_values(effects, "Regulars") == {"colourway": "sand"}
