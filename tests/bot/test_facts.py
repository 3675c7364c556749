import pytest

from bot import facts
from bot.grounding import check


@pytest.mark.parametrize(
    "text, lang, expected",
    [
        ("stored for a period of three (3) years.", "en", ["3 years"]),
        ("stored for a period of three (3) years.", "fr", ["3 ans"]),
        ("for a period of thirty (30) days and then deleted", "fr", ["30 jours"]),
        ("kept for a period of one (1) year to enhance", "fr", ["1 an"]),
        ("kept for a period of one (1) year to enhance", "en", ["1 year"]),
        ("a maximum of 13 months after their first deposit", "fr", ["13 mois"]),
        ("one (1) year as regards access, and six (6) years as regards", "fr", ["1 an", "6 ans"]),
        ("fifty (50) years after your course of study", "en", ["50 years"]),
        ("no duration here, only 2020 and 43 quai de Grenelle", "en", []),
    ],
)
def test_durations_are_extracted_and_rendered_in_the_answer_language(text, lang, expected):
    assert [d.render(lang) for d in facts.durations(text)] == expected


@pytest.mark.parametrize(
    "text, emails, address",
    [
        ("or by email: dpo@omneseducation.com.", ["dpo@omneseducation.com"], None),
        ("OMNES Education – Service du DPO – Immeuble Grenelle – 43 quai de Grenelle – 75015 Paris\n\nor",
         [], "OMNES Education – Service du DPO – Immeuble Grenelle – 43 quai de Grenelle – 75015 Paris"),
    ],
)
def test_contacts_come_from_the_text(text, emails, address):
    assert facts.emails(text) == emails
    assert facts.dpo_address(text) == address


@pytest.mark.parametrize(
    "generated, ok",
    [
        ("Video images are kept for 30 days, then deleted.", True),
        ("Les images sont conservées 30 jours.", True),
        ("Video images are kept for 60 days.", False),  # figure not in the quotes
        ("Write to privacy@example.org.", False),  # email not in the quotes
        ("See https://evil.example/phish for details.", False),
        ("", False),
    ],
)
def test_grounding_rejects_unsupported_figures_emails_and_links(generated, ok):
    quotes = ["Data derived from videosurveillance and videoprotection systems is stored for a period of thirty (30) days and then deleted."]
    assert check(generated, quotes, "In short: 30 days.").ok is ok
