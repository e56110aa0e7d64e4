"""Generation jobs end to end through the worker: visuals, creatives, variants, re-renders,
and the consistency of what an edit or a crash leaves behind.

Copy assets are written here as the copy generator stores them, so these tests exercise
the compositor and the GAN path without a language model (the copy handler has its own
tests with a tiny model).
"""

from __future__ import annotations

import io

import pytest
from campaign_helpers import add_copy, run_queue
from PIL import Image

from studio.core.campaign_settings import CampaignSettings
from studio.core.channels import get_channel_format
from studio.core.records import Target
from studio.jobs import JobQueue, Worker
from studio.render.formats import get_image_format
from studio.services import campaigns as c
from studio.services.generation import default_handlers
from studio.services.generation.common import creative_copy
from studio.services.planning import enqueue_generation, plan_generation
from studio.storage import campaigns as store
from studio.storage.workspace import Workspace

EMAIL_COPY = {
    "subject": ["Fresh beans for your mornings"],
    "preheader": ["House Blend Beans, roasted for you"],
    "body": ["Start the day with our House Blend Beans."],
    "cta": ["Shop now"],
}


@pytest.fixture(params=[0])
def email_campaign(demo_ws: Workspace, request) -> tuple[Workspace, int, Target]:
    campaign_id = c.create_campaign(
        demo_ws,
        "Email",
        pairs=[(1, 1)],
        channel_formats=["email"],
        settings=CampaignSettings(variants=request.param),
    )
    target = store.campaign_targets(demo_ws, campaign_id)[0]
    add_copy(demo_ws, campaign_id, target, EMAIL_COPY)
    return demo_ws, campaign_id, target


@pytest.mark.parametrize("email_campaign", [2], indirect=True)
def test_visual_creative_and_variants_are_stored_with_provenance_and_lineage(email_campaign):
    ws, campaign_id, _ = email_campaign
    plan = plan_generation(ws, campaign_id)
    assert plan.job_counts == {"visual": 1, "creative": 1, "variants": 1}  # copy exists
    enqueue_generation(ws, campaign_id)
    queue = run_queue(ws)
    assert {job.status for job in queue.list()} == {"done"}, [j.error for j in queue.list()]

    (visual,) = store.current_assets(ws, campaign_id, "visual")
    assert visual.generator == "visual.designed"
    assert visual.parameters["diffusion"] is False  # says no diffusion model was used
    assert visual.content["designed"] is True

    (creative,) = store.current_assets(ws, campaign_id, "creative")
    fmt = get_image_format("email_hero_600x300")
    assert (creative.format, creative.channel, creative.parent_id) == (fmt.id, "email", visual.id)
    image = Image.open(io.BytesIO(ws.blob_path(creative.sha256).read_bytes()))
    assert image.size == fmt.size
    assert ws.blob_path(creative.sha256).stat().st_size <= fmt.max_bytes
    assert creative.content["copy_fields"] == {
        "headline": "subject",
        "subline": "preheader",
        "cta": "cta",
    }
    headline_layer = creative.content["layout"]["text"][0]
    assert headline_layer["text"] == EMAIL_COPY["subject"][0]

    variants = store.current_assets(ws, campaign_id, "variant")
    assert len(variants) == 2 and {v.parent_id for v in variants} == {creative.id}
    assert all(len(v.content["axes"]) == 1 for v in variants)  # one idea per variant first
    assert all(v.variant_id.startswith(f"a{creative.id}-") for v in variants)
    assert len({v.variant_id for v in variants}) == 2
    assert all(Image.open(ws.blob_path(v.sha256)).size == fmt.size for v in variants)
    assert plan_generation(ws, campaign_id).jobs == []  # nothing left to make


def test_a_creative_without_its_copy_fails_with_a_clear_message(demo_ws):
    campaign_id = c.create_campaign(demo_ws, "NoCopy", pairs=[(1, 1)], channel_formats=["email"])
    target = store.campaign_targets(demo_ws, campaign_id)[0]
    queue = JobQueue(demo_ws)
    job_id = queue.enqueue("creative", {}, campaign_id, target.id)
    run_queue(demo_ws)
    job = queue.get(job_id)
    assert job.status == "failed"
    assert f"Target {target.id} has no copy and visual yet" in job.error


def test_editing_copy_rerenders_the_creatives_that_use_it(email_campaign):
    ws, campaign_id, _ = email_campaign
    enqueue_generation(ws, campaign_id)
    run_queue(ws)
    (copy,) = store.current_assets(ws, campaign_id, "copy")
    (creative,) = store.current_assets(ws, campaign_id, "creative")
    store.set_asset_status(ws, creative.id, "approved")

    new_copy = c.edit_copy(ws, copy.id, {"subject": "Mornings, sorted"})
    (rerendered,) = store.current_assets(ws, campaign_id, "creative")
    assert rerendered.supersedes_id == creative.id
    assert (rerendered.version, rerendered.status) == (2, "draft")
    assert rerendered.content["copy_asset_id"] == new_copy
    assert rerendered.content["layout"]["text"][0]["text"] == "Mornings, sorted"
    assert rerendered.sha256 != creative.sha256
    assert [a.id for a in store.asset_history(ws, rerendered.id)] == [creative.id, rerendered.id]


def test_regenerating_a_visual_makes_new_versions_downstream(email_campaign):
    ws, campaign_id, _ = email_campaign
    enqueue_generation(ws, campaign_id)
    run_queue(ws)
    (visual,) = store.current_assets(ws, campaign_id, "visual")
    (creative,) = store.current_assets(ws, campaign_id, "creative")
    c.regenerate_asset(ws, visual.id)
    run_queue(ws)
    (new_visual,) = store.current_assets(ws, campaign_id, "visual")
    assert (new_visual.supersedes_id, new_visual.version) == (visual.id, 2)
    assert new_visual.seed != visual.seed
    (new_creative,) = store.current_assets(ws, campaign_id, "creative")
    assert new_creative.supersedes_id == creative.id
    assert new_creative.content["visual_asset_id"] == new_visual.id


def test_regenerating_a_creative_tries_the_next_layout(email_campaign):
    ws, campaign_id, _ = email_campaign
    enqueue_generation(ws, campaign_id)
    run_queue(ws)
    (creative,) = store.current_assets(ws, campaign_id, "creative")
    c.regenerate_asset(ws, creative.id)
    run_queue(ws)
    (new,) = store.current_assets(ws, campaign_id, "creative")
    assert new.supersedes_id == creative.id
    assert new.content["layout"]["name"] != creative.content["layout"]["name"]


def test_creative_copy_shows_the_chosen_line_and_never_cuts_mid_word():
    texts, used = creative_copy(
        {
            "primary_text": [
                "Our House Blend Beans are roasted in small batches. They taste of cocoa and "
                "caramel, and they make every morning a little better than the one before."
            ],
            "cta": ["Shop now"],
        }
    )
    assert texts["headline"] == "Our House Blend Beans are roasted in small batches."
    assert used == {"headline": "primary_text", "cta": "cta"}
    # the chosen (first) line, not the shortest: an edit that passes reaches the picture
    assert (
        creative_copy({"headline": ["A longer headline", "Short one"]})[0]["headline"]
        == "A longer headline"
    )
    assert (
        creative_copy({"headline": ["A longer headline", "Short one"]}, line=1)[0]["headline"]
        == "Short one"
    )
    assert creative_copy({"cta": ["Buy"]})[0] == {"cta": "Buy"}


def test_copy_jobs_run_the_copy_model_and_store_text_with_provenance(demo_ws, tiny_copy_model):
    campaign_id = c.create_campaign(
        demo_ws,
        "Copy",
        pairs=[(1, 1)],
        channel_formats=["google_display"],
        settings=CampaignSettings(copy_candidates=1),
    )
    events = []
    queue = JobQueue(demo_ws)
    enqueue_generation(demo_ws, campaign_id, queue)
    worker = Worker(demo_ws.path, queue, default_handlers(), events.append, stop_when_idle=True)
    worker.start()
    assert worker.join(300)
    assert {job.status for job in queue.list()} == {"done"}, [j.error for j in queue.list()]

    (copy,) = store.current_assets(demo_ws, campaign_id, "copy")
    assert copy.content["passed"] is True
    assert all(copy.content["fields"][name] for name in ("headline", "description", "cta"))
    assert set(copy.content["sources"]["cta"]) <= {"grammar", "model"}  # model, else grammar
    assert (copy.model_id, copy.generator, copy.format) == (
        tiny_copy_model,
        "copy",
        "google_display",
    )
    assert copy.prompt and copy.model_revision
    assert any(e.kind == "text" and e.text for e in events)  # streamed tokens reached us
    creatives = store.current_assets(demo_ws, campaign_id, "creative")
    assert len(creatives) == 6  # every IAB display size
    headline = copy.content["fields"]["headline"]
    assert all(cr.content["layout"]["text"][0]["text"] in headline for cr in creatives)

    # regenerating the copy makes a new version and re-renders its creatives
    c.regenerate_asset(demo_ws, copy.id, queue)
    worker = Worker(demo_ws.path, queue, default_handlers(), stop_when_idle=True)
    worker.start()
    assert worker.join(300)
    (new_copy,) = store.current_assets(demo_ws, campaign_id, "copy")
    assert (new_copy.supersedes_id, new_copy.version) == (copy.id, 2)
    assert new_copy.seed != copy.seed
    rerendered = store.current_assets(demo_ws, campaign_id, "creative")
    assert {cr.content["copy_asset_id"] for cr in rerendered} == {new_copy.id}
    assert {cr.supersedes_id for cr in rerendered} == {cr.id for cr in creatives}


@pytest.fixture
def tiny_diffusion(tmp_path_factory: pytest.TempPathFactory):
    """A tiny SD-Turbo-shaped pipeline and TAESD, installed in this test's model folder."""
    from tiny_visual import save_tiny_models

    from generators.registry import add_local_model, model_cache

    pipeline_dir, decoder_dir = save_tiny_models(tmp_path_factory.mktemp("tiny-visual"))
    add_local_model(pipeline_dir, "visual", "sd-turbo", model_id="tiny-sd")
    add_local_model(decoder_dir, "decoder", "taesd", model_id="taesd")
    yield "tiny-sd"
    model_cache.release()


def test_an_installed_diffusion_model_makes_the_visual(email_campaign, tiny_diffusion):
    ws, campaign_id, _ = email_campaign
    enqueue_generation(ws, campaign_id)
    events = []
    queue = JobQueue(ws)
    worker = Worker(ws.path, queue, default_handlers(), events.append, stop_when_idle=True)
    worker.start()
    assert worker.join(300)
    assert {job.status for job in queue.list()} == {"done"}, [j.error for j in queue.list()]

    (visual,) = store.current_assets(ws, campaign_id, "visual")
    assert (visual.generator, visual.model_id) == ("visual.diffusion", tiny_diffusion)
    assert visual.parameters["diffusion"] is True
    assert visual.prompt and visual.model_revision
    assert visual.content["designed"] is False and len(visual.content["focus_box"]) == 4
    assert any(e.kind == "preview" for e in events)  # per-step previews reach the listener
    (creative,) = store.current_assets(ws, campaign_id, "creative")
    assert creative.content["layout"]["background"] == "image"  # rendered on the scene
    assert creative.model_id == tiny_diffusion  # the creative's provenance names the model


def test_an_edit_whose_creative_cannot_be_rendered_is_refused_whole(email_campaign, monkeypatch):
    import studio.services.generation.creative as creative_job
    from studio.core.errors import InputError

    ws, campaign_id, _ = email_campaign
    enqueue_generation(ws, campaign_id)
    run_queue(ws)
    (copy,) = store.current_assets(ws, campaign_id, "copy")
    (creative,) = store.current_assets(ws, campaign_id, "creative")

    def too_long(*args, **kwargs):
        raise InputError("The headline does not fit the email_hero_600x300 format.")

    monkeypatch.setattr(creative_job, "finish_creative", too_long)
    with pytest.raises(InputError, match="does not fit"):
        c.edit_copy(ws, copy.id, {"subject": "A subject that will not fit"})
    assert [a.id for a in store.current_assets(ws, campaign_id, "copy")] == [copy.id]
    assert [a.id for a in store.current_assets(ws, campaign_id, "creative")] == [creative.id]


@pytest.mark.parametrize("email_campaign", [2], indirect=True)
def test_save_copy_makes_the_variants_again_and_no_approval_survives(email_campaign):
    """A copy edit re-renders the creative at once; its variants turn draft and a queued
    job makes them again with the new text; until then the bundle refuses them."""
    from studio.core.errors import ExportError
    from studio.export.writer import export_bundle

    ws, campaign_id, _ = email_campaign
    enqueue_generation(ws, campaign_id)
    run_queue(ws)
    assert c.approve_all(ws, campaign_id).approved == 4  # copy, creative, 2 variants
    (copy,) = store.current_assets(ws, campaign_id, "copy")
    old_variants = store.current_assets(ws, campaign_id, "variant")

    other = JobQueue(ws).enqueue("copy", {}, campaign_id, None)  # unrelated work waiting
    new_copy = c.edit_copy(ws, copy.id, {"subject": "Mornings with House Blend Beans"})
    assert {v.status for v in store.current_assets(ws, campaign_id, "variant")} == {"draft"}
    pending = JobQueue(ws).list("queued")
    # the edit's remake runs first, before work queued earlier
    assert [job.kind for job in pending] == ["variants", "copy"]
    JobQueue(ws).cancel(other)
    c.set_status(ws, old_variants[0].id, "approved")  # a stale variant approved again …
    c.approve_all(ws, campaign_id)
    with pytest.raises(ExportError, match="older version of its copy"):  # … is refused
        export_bundle(ws, campaign_id, ws.path / "exports" / "stale.zip")

    run_queue(ws)
    variants = store.current_assets(ws, campaign_id, "variant")
    assert len(variants) == 2 and {v.supersedes_id for v in variants} == {
        v.id for v in old_variants
    }
    assert {v.content["copy_asset_id"] for v in variants} == {new_copy}
    assert all(v.content["copy"]["headline"] == "Mornings with House Blend Beans" for v in variants)
    assert {v.status for v in variants} == {"draft"}
    c.approve_all(ws, campaign_id)
    export_bundle(ws, campaign_id, ws.path / "exports" / "fresh.zip")


def test_a_kill_between_storing_and_finishing_never_duplicates(email_campaign, tmp_path):
    """The worker is killed after a job stored its creative and before the job was
    marked done; the rerun leaves one current creative, superseding nothing twice."""
    import os
    import subprocess
    import sys

    ws, campaign_id, _ = email_campaign
    enqueue_generation(ws, campaign_id)
    script = (
        "import sys; from studio.storage.workspace import Workspace;"
        "from studio.jobs import JobQueue, Worker;"
        "from studio.services.generation import default_handlers;"
        "ws = Workspace.open(sys.argv[1]); queue = JobQueue(ws);"
        "w = Worker(ws.path, queue, default_handlers(), stop_when_idle=True); w.start(); w.join()"
    )
    env = {**os.environ, "STUDIO_FAULT": "after-store"}
    killed = subprocess.run([sys.executable, "-c", script, str(ws.path)], env=env, timeout=300)
    assert killed.returncode == 9  # it died in the window, holding a stored visual
    jobs = JobQueue(ws).list()
    assert [job.status for job in jobs if job.kind == "visual"] == ["running"]
    assert store.current_assets(ws, campaign_id, "visual") == []  # nothing half-stored
    run_queue(ws)
    assert {job.status for job in JobQueue(ws).list()} == {"done"}
    assert len(store.current_assets(ws, campaign_id, "visual")) == 1
    creatives = store.current_assets(ws, campaign_id, "creative")
    assert len(creatives) == len(get_channel_format("email").image_formats)
    superseded = [a.supersedes_id for a in creatives if a.supersedes_id]
    assert len(superseded) == len(set(superseded))
