"""The campaign builder asks for everything a campaign can be, and its preview is the
planner's plan of the campaign it creates."""

from __future__ import annotations

import pytest

DRAFTS = [
    # (channel formats, variants per creative, test design)
    (["meta_feed"], 0, {}),
    (["meta_feed", "email", "sms"], 2, {}),
    (["instagram_story", "google_rsa"], 0, {"angle": 2, "colourway": 1}),
    (["google_display"], 0, {"layout": 2, "colourway": 2}),
]


def _choose(builder, formats, variants, axes) -> None:
    builder.select_formats(formats)
    for axis, spin in builder.axes.items():
        spin.setValue(axes.get(axis, 0))
    builder.variants.setValue(variants)


def test_the_builders_preview_is_the_plan_of_the_campaign_it_creates(
    window, segmented_path
) -> None:
    from studio.services.campaigns import create_campaign
    from studio.services.planning import plan_generation

    window.screens["Start"].open_workspace(segmented_path)
    builder = window.show_screen("Campaign builder")
    ws = window.session.workspace
    segments = [r["id"] for r in ws.query("SELECT id FROM segments ORDER BY id LIMIT 2")]
    builder.name.setText("Draft")
    builder.select_segments(segments)
    builder.occasion.setText("Christmas")
    builder.landing_url.setText("https://shop.example/christmas")
    for number, (formats, variants, axes) in enumerate(DRAFTS):
        _choose(builder, formats, variants, axes)
        shown = builder.last_plan
        assert builder.generate_button.isEnabled(), builder.estimate.text()
        settings = builder.draft_settings()
        assert dict(settings.variant_axes) == axes
        assert settings.occasion == "Christmas"
        campaign_id = create_campaign(
            ws, f"Draft {number}", pairs=builder.pairs(), channel_formats=formats,
            settings=settings,
        )  # fmt: skip
        planned = plan_generation(ws, campaign_id)
        assert (shown.targets, shown.job_counts, shown.assets, shown.ads) == (
            planned.targets, planned.job_counts, planned.assets, planned.ads,
        )  # fmt: skip
        assert shown.estimate_seconds == pytest.approx(planned.estimate_seconds)
        assert f"→ {planned.ads} ads" in builder.estimate.text()
    # the angle design writes copy from other angles: more copy jobs than targets
    _choose(builder, *DRAFTS[2])
    assert builder.last_plan.job_counts["copy"] > builder.last_plan.targets
    # the design decides the variants: a count typed before it is greyed out and unused
    builder.variants.setValue(7)
    assert not builder.variants.isEnabled()
    assert builder.draft_settings().variants_per_creative == 3 * 2 - 1


def test_a_design_too_big_to_generate_is_named_and_cannot_be_queued(window, segmented_path):
    window.screens["Start"].open_workspace(segmented_path)
    builder = window.show_screen("Campaign builder")
    ws = window.session.workspace
    builder.name.setText("Too many")
    builder.select_segments([ws.scalar("SELECT min(id) FROM segments")])
    _choose(builder, ["meta_feed"], 0, {"angle": 4, "colourway": 4, "layout": 1})
    assert "Cannot generate this" in builder.estimate.text()
    assert "49 variants per creative" in builder.estimate.text()
    assert not builder.generate_button.isEnabled()
    builder.axes["layout"].setValue(0)
    assert builder.generate_button.isEnabled()
    assert "→" in builder.estimate.text()
