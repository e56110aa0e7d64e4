"""Copy for this segment and this brief: the brief's occasion in every field where it
fits, no offer the brief did not state, an approach per segment that a blind scorer can
tell apart, and tone words that never describe the product."""

from __future__ import annotations

import re

import pytest
from copy_fixtures import (  # noqa: F401 (fixtures)
    copy_request,
    one_torch_thread,
    tiny_copy_model,
    tiny_models_fixture,
)

from generators.copy import ProductFacts, generate_copy
from generators.copy.audiences import approach_for, audience_text, occasion_in
from generators.copy.references import short_references
from generators.copy.request import SegmentBrief, segment_from_row

OFFER = re.compile(r"%|\bfree\b|\bdiscount|\bsale\b|\boff\b|\bdeal\b", re.I)

PRODUCTS = [
    ProductFacts("Espresso Dark Roast", "Coffee", "A syrupy dark roast made for espresso "
                 "machines.", price=14.5, currency="EUR"),
    ProductFacts("Canvas Tote Natural", "Bags", "A roomy tote in undyed canvas.", price=24,
                 currency="EUR"),
    ProductFacts("Fig & Cedar Candle", "Candles", "Soy wax with fig leaf and cedar.", price=28,
                 currency="EUR"),
    ProductFacts("Earl Grey Lavender", "Tea", "Ceylon black tea with bergamot and lavender.",
                 price=9.9, currency="EUR"),
    ProductFacts("Wool Beanie", "Hats", "Ribbed merino wool beanie that never itches.",
                 price=19, currency="EUR"),
    ProductFacts("Stoneware Mug", "Drinkware", "A hand-glazed mug that holds 350 ml.",
                 price=16, currency="EUR"),
    ProductFacts("White Hanging Heart T-Light Holder", "Holders", "", price=2.55,
                 currency="GBP"),
    ProductFacts("Jumbo Bag Red Retrospot", "Bags", "", price=1.95, currency="GBP"),
    ProductFacts("Rose Hand Cream", "Skincare", "Shea butter hand cream with rose oil.",
                 price=12, currency="EUR"),
    ProductFacts("Trail Runner GTX", "Running shoes", "Waterproof trail shoe for long runs.",
                 price=129, currency="EUR"),
]  # fmt: skip

LOYAL = {"name": "Active big spenders (Coffee)", "description": "Spend 2.4× the average.",
         "stats": {"segment": {"orders_mean": 6.2, "spend_mean": 980, "recency_median": 9},
                   "overall": {"orders_mean": 2.6, "spend_mean": 410}, "history_days": 700,
                   "categories": [{"name": "Coffee", "share": 0.62, "overall": 0.3}]}}  # fmt: skip
LAPSED = {"name": "Lapsed light buyers (Bags)", "description": "No order in 210 days.",
          "stats": {"segment": {"orders_mean": 1.3, "spend_mean": 60, "recency_median": 210,
                                "discount_share_mean": 0.1},
                    "overall": {"orders_mean": 2.6, "spend_mean": 410}, "history_days": 700,
                    "categories": [{"name": "Bags", "share": 0.5, "overall": 0.11}]}}  # fmt: skip


def test_segments_get_an_approach_and_an_audience_in_a_marketers_words() -> None:
    loyal, lapsed = segment_from_row(LOYAL), segment_from_row(LAPSED)
    assert (loyal.approach, lapsed.approach) == ("loyalty", "win_back")
    assert loyal.audience.startswith("Active big spenders: 6.2 orders each, 2.4×")
    assert "they buy mostly Coffee" in loyal.audience
    assert approach_for("Deal-seeking light buyers (Bags)", {}) == "value"
    assert approach_for("New one-time buyers", {}) == "welcome"
    assert approach_for("Prospects: no orders yet", {}) == "welcome"
    assert approach_for("Steady shoppers", {}) == "general"
    # a short history says nothing about recency
    assert "last order" not in audience_text("Steady shoppers", {**LOYAL["stats"],
                                                                 "history_days": 5})  # fmt: skip


def test_the_occasion_is_read_from_the_brief() -> None:
    assert occasion_in("December push before Christmas: gift ideas for our regulars") == (
        "Christmas"
    )
    assert occasion_in("xmas gifts") == "Christmas"
    assert occasion_in("Mothers day? no: Mother's Day bundles") == "Mother's Day"
    assert occasion_in("new arrivals") == ""


@pytest.mark.usefixtures("tiny_copy_model")
def test_the_brief_reaches_every_field_and_adds_no_offer() -> None:
    brief = "Christmas gifts for our regulars"
    for product in PRODUCTS[:4]:
        request = copy_request(product=product, channel_format="meta_feed",
                               segment=segment_from_row(LOYAL), brief=brief)  # fmt: skip
        result = generate_copy(request)
        assert "Christmas" in result.provenance.prompt
        for field, texts in result.texts().items():
            assert texts, (product.name, field, result.problems)
            if field != "cta" and any("Christmas" in t for t in texts):
                assert "Christmas" in texts[0], (field, texts)  # where it fits, it leads
            for text in texts:
                assert not OFFER.search(text), (field, text)  # no offer the brief lacks
        lead = result.texts()
        assert "Christmas" in lead["headline"][0] and "Christmas" in lead["primary_text"][0]


@pytest.mark.usefixtures("tiny_copy_model")
def test_an_offer_the_brief_states_may_be_said() -> None:
    result = generate_copy(copy_request(product=PRODUCTS[0], channel_format="meta_feed",
                                        brief="Christmas: 10% off until 24 December"))  # fmt: skip
    assert "10%" in result.provenance.prompt  # the brief is in the prompt, as the user wrote it
    supported = result.considered["headline"]
    assert all(not c.checks.get("supported") or "10" not in " ".join(c.checks["supported"])
               for c in supported)  # fmt: skip


@pytest.mark.usefixtures("tiny_copy_model")
def test_a_blind_scorer_pairs_ads_with_their_segments() -> None:
    """10 products × loyal big spenders and lapsed light buyers: given both segment
    descriptions and both ads, an independent scorer (all-MiniLM-L6-v2 sentence
    embeddings, not the copy model) says which ad is for which segment."""
    from generators.scoring.embeddings import embed_texts

    segments = [segment_from_row(LOYAL), segment_from_row(LAPSED)]
    descriptions = [f"{s.audience}. {s.description}" for s in segments]
    right = 0
    for product in PRODUCTS:
        ads = []
        for segment in segments:
            result = generate_copy(copy_request(product=product, channel_format="meta_feed",
                                                segment=segment))  # fmt: skip
            texts = result.texts()
            ads.append(" ".join(texts[f][0] for f in ("headline", "primary_text") if texts[f]))
        assert ads[0] != ads[1], product.name  # the two segments never get the same ad
        vectors = embed_texts(descriptions + ads)
        similarity = vectors[2:] @ vectors[:2].T  # ads × segments
        straight = similarity[0, 0] + similarity[1, 1]
        crossed = similarity[0, 1] + similarity[1, 0]
        right += bool(straight > crossed)
    assert right >= 8, f"the scorer paired {right} of 10"


def test_tone_words_are_not_product_adjectives_anywhere() -> None:
    """The demo's tone words ("warm, confident") became adjectives of a tote: never again."""
    from generators.copy.facts import fact_sheet
    from generators.copy.gate import GateContext, review
    from generators.copy.request import BrandVoice

    request = copy_request(product=PRODUCTS[1], channel_format="email",
                           brand=BrandVoice(tone_words=("warm", "confident")),
                           segment=SegmentBrief("Deal-seeking light buyers (Bags)"))  # fmt: skip
    sheet = fact_sheet(request, "en")
    assert "warm" not in sheet.decoding_text.lower().split()
    checks = review("Canvas Tote Natural is a warm, confident tote in undyed canvas.",
                    GateContext(sheet, "preheader", "sentence"))  # fmt: skip
    assert checks["tone"]
    # a word the product's own text uses is the product's, not the tone's
    blanket = ProductFacts("Wool Blanket", "Home", "A warm wool blanket.")
    sheet = fact_sheet(copy_request(product=blanket, brand=BrandVoice(tone_words=("warm",))), "en")
    assert not review("A warm wool blanket.", GateContext(sheet, "body", "long"))["tone"]


@pytest.mark.usefixtures("tiny_copy_model")
def test_names_exported_in_capitals_are_written_as_customers_read_them() -> None:
    product = ProductFacts("KNITTED UNION FLAG HOT WATER BOTTLE", "Home",
                           "Hot water bottle in a knitted Union Flag cover.", price=3.75,
                           currency="GBP")  # fmt: skip
    result = generate_copy(copy_request(product=product, channel_format="meta_feed"))
    texts = [t for field in result.texts().values() for t in field]
    assert result.passed, result.problems
    assert not [t for t in texts if "KNITTED" in t or "BOTTLE" in t]
    assert any("Knitted Union Flag Hot Water Bottle" in t for t in texts)


@pytest.mark.usefixtures("tiny_copy_model")
@pytest.mark.parametrize(
    ("name", "category", "description"),
    [
        ("WHITE HANGING HEART T-LIGHT HOLDER", "Home decor",
         "White metal hanging heart holder for a tea light."),
        ("Ceramic Pour-Over Coffee Dripper Set with Glass Carafe and 100 Filters",
         "Coffee gear", "Ceramic pour-over dripper with a glass carafe and 100 paper filters."),
    ],
)  # fmt: skip
def test_a_name_longer_than_a_field_is_referred_to_and_every_field_is_filled(
    name: str, category: str, description: str
) -> None:
    product = ProductFacts(name, category, description, price=12, currency="EUR")
    brief = "Christmas gifts for our regulars"
    request = copy_request(product=product, channel_format="meta_feed",
                           segment=segment_from_row(LOYAL), brief=brief)  # fmt: skip
    result = generate_copy(request)
    assert result.passed, result.problems
    facts = set(re.findall(r"[\w'-]+", f"{name} {category} {description} {brief} meet".lower()))
    for text in result.texts()["description"]:
        assert len(text) <= 30
        # whole words of the name or the facts, never a word cut short
        assert set(re.findall(r"[\w'-]+", text.lower())) <= facts, text


@pytest.mark.parametrize(
    ("name", "facts", "category", "references"),
    [
        ("Set of 3 Cake Tins Pantry Design", "Three nesting cake tins with a pantry print.",
         "", ["Set of 3 Cake Tins", "Cake Tins"]),
        ("Ceramic Pour-Over Coffee Dripper Set with Glass Carafe and 100 Filters",
         "Ceramic pour-over dripper with a glass carafe and 100 paper filters.",
         "", ["Coffee Dripper Set", "Dripper Set"]),
        # the name's kind of thing in its category, its size and variant left off
        ("Vintage Botanical Print A3 Unframed", "Botanical illustration printed on matte paper.",
         "Prints", ["Vintage Botanical Print", "Botanical Print"]),
        ("Vintage Botanical Print A3 Unframed", "Botanical illustration printed on matte paper.",
         "Wall art", []),
    ],
)  # fmt: skip
def test_a_long_name_is_referred_to_by_the_words_that_name_its_kind(
    name: str, facts: str, category: str, references: list[str]
) -> None:
    assert short_references(name, 30, f"{facts} {category}", category) == references


@pytest.mark.parametrize(
    ("language", "name", "category", "description"),
    [
        ("fr", "Lampe de chevet", "Luminaires",
         "Lampe de chevet en laiton avec abat-jour en lin et variateur."),
        ("de", "Wanderrucksack 30 L", "Rucksäcke",
         "Leichter Rucksack mit Rückenbelüftung, Regenhülle und Fach für eine Trinkblase."),
    ],
)  # fmt: skip
@pytest.mark.usefixtures("tiny_copy_model")
def test_a_search_ad_gets_every_line_google_needs_in_german_and_french(
    language: str, name: str, category: str, description: str
) -> None:
    product = ProductFacts(name, category, description, price=79, currency="EUR")
    result = generate_copy(copy_request(product=product, channel_format="google_rsa",
                                        language=language))  # fmt: skip
    assert result.passed, result.problems
    assert len(result.texts()["headline"]) >= 3 and len(result.texts()["description"]) >= 2


@pytest.mark.usefixtures("tiny_copy_model")
@pytest.mark.parametrize(
    ("segment", "brief", "opening"),
    [(LOYAL, "Christmas gifts for our regulars", "Christmas for our regulars:"),
     (LAPSED, "", "It has been a while:")],
)  # fmt: skip
def test_a_headline_opens_with_the_segments_approach_and_the_model_writes_the_rest(
    segment: dict, brief: str, opening: str
) -> None:
    """Left to open a headline itself, a small model copies the product's name; opened with
    the approach (and the occasion), it writes the rest, and only the rest is scored."""
    request = copy_request(channel_format="meta_feed", segment=segment_from_row(segment),
                           brief=brief)  # fmt: skip
    written = [c for c in generate_copy(request).considered["headline"] if c.source == "model"]
    assert any(c.raw.startswith(opening) for c in written), [c.raw for c in written]
    opened = [c for c in written if c.opening]
    assert {c.opening for c in opened} <= {opening, "For Christmas:"}
    assert all(c.text.startswith(c.opening) and len(c.text) > len(c.opening) for c in opened)
