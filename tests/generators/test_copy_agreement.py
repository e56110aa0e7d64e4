"""German and French agreement, read from the installed lexicons: the verbatim lines a
model wrote that every other rule let through, and lines that agree."""

from __future__ import annotations

import pytest

from generators.copy.agreement import agreement_mistakes, name_as_object
from studio.core.errors import ModelError


@pytest.mark.parametrize(
    ("text", "language", "phrase"),
    [
        ("Der Regenjacke Nordkap hat Kapuze und verschweißten Nähten.", "de", "Der Regenjacke"),
        ("Das Regenjacke Nordkap hat klar, praktisch.", "de", "Das Regenjacke"),
        ("Ein Regenjacke Nordkap ist für dich da.", "de", "Ein Regenjacke"),
        ("Cremiger Blütenhonig von Imkern, ein Warmes Frühstück.", "de",
         "ein Warmes Frühstück"),
        ("Imkern aus dem Schwarzwald hat einen frischen, cremiger Blütenhonig.", "de",
         "einen frischen cremiger Blütenhonig"),
        ("Thermobecher 400 ml ist ein Doppelwandiger Becher aus Edelstahl.", "de",
         "ein Doppelwandiger Becher"),
        ("Sac cabas en toile est simplement une cabas en toile de coton", "fr", "une cabas"),
        ("Un bougie parfumé à la figue.", "fr", "Un bougie parfumé"),
        ("Une grand cabas en toile.", "fr", "Une grand cabas"),
        ("La Huile d'olive vierge extra de Provence, pressée à froid.", "fr", "La Huile"),
    ],
)  # fmt: skip
def test_an_article_adjective_or_noun_that_does_not_agree_is_named(
    text: str, language: str, phrase: str
) -> None:
    assert phrase in agreement_mistakes(text, language)


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Die Regenjacke Nordkap hat eine Kapuze.", "de"),
        ("Ein cremiger Blütenhonig für ein warmes Frühstück.", "de"),
        ("Mit dem warmen Becher in den Tag.", "de"),
        ("Zur Kollektion", "de"),  # the contraction's preposition sets the case
        ("Thermobecher aus Edelstahl, das Getränke lange warm hält.", "de"),  # a relative
        ("Haferdrink zum Aufschäumen.", "de"),  # a verb made a noun
        ("Ein Button ist eine dieser Phrasen.", "de"),
        ("Une bougie parfumée à la figue.", "fr"),
        ("Grand cabas en toile de coton avec anses en cuir.", "fr"),
        ("L'huile d'olive vierge extra de Provence, pressée à froid.", "fr"),
        ("Un porte-cartes fin, pour la plus belle des poches.", "fr"),
        ("Le meilleur thé de tous les temps.", "fr"),
        ("A warm gift for the coffee lover.", "en"),  # English has its own article rule
    ],
)  # fmt: skip
def test_phrases_that_agree_pass(text: str, language: str) -> None:
    assert agreement_mistakes(text, language) == []


def test_a_missing_lexicon_says_which_and_how_to_install_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from generators.copy import agreement

    def not_installed(distribution: str, relative: str) -> None:
        raise ModelError(f"The package '{distribution}' is not installed.")

    monkeypatch.setattr(agreement, "package_file", not_installed)
    agreement._german_nouns.cache_clear()
    try:
        with pytest.raises(ModelError, match="German copy cannot be checked") as caught:
            agreement_mistakes("Der Regenjacke Nordkap", "de")
        assert "pip install --no-deps german-nouns" in str(caught.value)
    finally:
        agreement._german_nouns.cache_clear()  # the next test reads the real lexicon


@pytest.mark.parametrize(
    ("name", "language", "as_object"),
    [
        ("Regenjacke Nordkap", "de", "die Regenjacke Nordkap"),
        ("Blütenhonig", "de", "den Blütenhonig"),  # a compound: its last part's gender
        ("Laufschuhe Trail", "de", "die Laufschuhe Trail"),  # a plural
        ("Cremiger Blütenhonig", "de", "Cremiger Blütenhonig"),  # its adjective would change
        ("Merino-Wandersocken", "de", "Merino-Wandersocken"),  # "…socken" is both numbers
        ("Sac cabas en toile", "fr", "le Sac cabas en toile"),
        ("Huile d'olive vierge extra", "fr", "l'Huile d'olive vierge extra"),
        ("Bougie figue", "fr", "la Bougie figue"),
        ("Poêle en fonte", "fr", "Poêle en fonte"),  # le poêle, la poêle: no guess
        ("Trail Runner GTX", "en", "Trail Runner GTX"),
    ],
)
def test_a_name_as_an_object_takes_its_nouns_article_where_the_lexicon_is_sure(
    name: str, language: str, as_object: str
) -> None:
    assert name_as_object(name, language) == as_object


def test_a_german_template_invites_to_the_product_with_its_article() -> None:
    """A reader marked "Entdecke Regenjacke Nordkap" a light edit: its noun wants an
    article."""
    from generators.copy.facts import fact_sheet
    from generators.copy.request import CopyRequest, ProductFacts
    from generators.copy.templates import template_texts

    jacket = ProductFacts(
        name="Regenjacke Nordkap",
        category="Jacken",
        description="Wasserdichte Regenjacke mit Kapuze und verschweißten Nähten.",
    )
    sheet = fact_sheet(CopyRequest(product=jacket, channel_format="email", language="de"), "de")
    texts = template_texts(sheet, "subject", 60)
    assert "Entdecke die Regenjacke Nordkap" in texts
    assert "Entdecke Regenjacke Nordkap" not in texts


def test_the_article_gives_way_where_only_the_bare_name_fits() -> None:
    from generators.copy.facts import fact_sheet
    from generators.copy.request import CopyRequest, ProductFacts
    from generators.copy.templates import template_texts

    jam = ProductFacts(
        name="Confiture d'abricot",
        category="Épicerie",
        description="Confiture d'abricots du Roussillon, cuite en petites quantités.",
    )
    request = CopyRequest(product=jam, channel_format="google_rsa", language="fr")
    sheet = fact_sheet(request, "fr")
    assert "Découvrez la Confiture d'abricot" in template_texts(sheet, "headline", 40)
    assert "Découvrez Confiture d'abricot" in template_texts(sheet, "headline", 30)
