"""Guard behaviour: notices, language, overlaps, bad input, chunking, fail closed."""

import logging

import pytest

from guards.guard import FAILED_PLACEHOLDER, Guard
from guards.language import detect_language
from guards.resolve import Span, chunk_bounds, merge_overlaps
from guards.types import Inspection, Redacted


@pytest.mark.parametrize(
    "lang, text, fragments",
    [
        ("en", "I have diabetes", ["removed health information", "sensitive data"]),
        ("fr", "J'ai du diabète", ["retiré des informations de santé", "données sensibles"]),
        ("en", "Call me on 06 12 34 56 78", ["a phone number", "personal details"]),
        ("fr", "Appelez-moi au 06 12 34 56 78", ["un numéro de téléphone", "données personnelles"]),
        ("en", "I'm Muslim, email me at a.b@gmail.com", ["religion", "an email address"]),
        ("fr", "Je suis musulman, écrivez à a.b@gmail.com", ["religion", "une adresse e-mail"]),
    ],
)
def test_notice_names_what_was_removed_in_the_visitors_language(guard, lang, text, fragments):
    result = guard.inspect(text)
    assert result.lang == lang
    for fragment in fragments:
        assert fragment in result.notice


@pytest.mark.parametrize("text", ["Do you process health data?", "Traitez-vous des données de santé ?", ""])
def test_no_notice_when_nothing_removed(guard, text):
    result = guard.inspect(text)
    assert result.notice is None and result.text == text and not result.findings


def test_inspection_shape(guard):
    result = guard.inspect("I'm pregnant, call 06 12 34 56 78")
    assert isinstance(result, Inspection) and isinstance(result.redacted, Redacted)
    assert result.categories == frozenset({"HEALTH"})
    assert result.entities == ["HEALTH", "PHONE_NUMBER"]
    for f in result.findings:
        assert set(f.to_dict()) == {"entity", "start", "end", "score"}
    assert guard.redact("I'm pregnant").text == "I'm [HEALTH]"


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Do you process health data?", "en"),
        ("Traitez-vous des données de santé ?", "fr"),
        ("merci", "fr"),
        ("hello", "en"),
        ("Wie lange speichern Sie meine persönlichen Daten?", "de"),
        ("¿Cuánto tiempo guardan mis datos personales?", "es"),
        ("", "en"),
        ("👍", "en"),
    ],
)
def test_detect_language(text, expected):
    assert detect_language(text) == expected


def test_overlaps_merge_without_nesting():
    spans = merge_overlaps([Span("PHONE_NUMBER", 5, 15, 0.85), Span("FR_NIR", 3, 24, 1.0), Span("HEALTH", 30, 38, 0.85)])
    assert [(s.entity, s.start, s.end) for s in spans] == [("FR_NIR", 3, 24), ("HEALTH", 30, 38)]
    special_wins = merge_overlaps([Span("PERSON", 0, 20, 0.9), Span("POLITICAL_OPINION", 0, 20, 0.6)])
    assert special_wins[0].entity == "POLITICAL_OPINION"


@pytest.mark.parametrize(
    "text, lang",
    [
        ("", None),
        ("   \n\t ", None),
        ("😀🎓🔥 " * 50, None),
        ("I have diabetes 😀 и я живу в Москве 東京", None),
        ("Ich bin Diabetiker, meine Nummer ist +49 30 1234567 und meine E-Mail hans@example.de", None),
        ("I have\x00 diabetes\x07 call 06 12 34 56 78\x1b", "en"),
        ("Je suis enceinte\u200b\u202e appelez le 06 12 34 56 78", "fr"),
    ],
)
def test_bad_input_never_raises_and_never_leaks(guard, text, lang):
    result = guard.inspect(text, lang)
    assert not result.failed
    assert "06 12 34 56 78" not in result.text and "hans@example.de" not in result.text
    assert "+49 30 1234567" not in result.text


def test_third_language_uses_both_pipelines(guard):
    result = guard.inspect(
        "Guten Tag, meine Telefonnummer ist 06 12 34 56 78 und meine Bankverbindung lautet "
        "DE89 3704 0044 0532 0130 00, Sozialversicherungsnummer 1 85 05 78 006 084 91"
    )
    assert result.lang == "en" and result.notice.startswith("I removed")  # other languages: English notice
    assert {"PHONE_NUMBER", "IBAN_CODE", "FR_NIR"} <= set(result.entities)


def test_non_string_input_fails_closed(guard):
    result = guard.inspect(None)  # type: ignore[arg-type]
    assert result.failed and result.text == FAILED_PLACEHOLDER


def test_long_text_is_chunked_and_keeps_findings_at_every_edge(guard):
    filler = "The policy explains how long data is kept by the schools of the group. "
    text = (filler * 80 + "Write to emily.carter92@gmail.com or call 06 12 34 56 78. ") * 9
    assert len(text) > 50_000
    result = guard.inspect(text, "en")
    assert not result.failed
    assert "emily.carter92@gmail.com" not in result.text and "06 12 34 56 78" not in result.text
    assert result.text.count("[EMAIL_ADDRESS]") == 9 and result.text.count("[PHONE_NUMBER]") == 9


@pytest.mark.parametrize("size, overlap", [(5000, 200), (300, 40)])
def test_chunk_bounds_cover_text_with_overlap(size, overlap):
    text = ("word " * 3000) + "x" * 10
    bounds = chunk_bounds(text, size, overlap)
    assert bounds[0][0] == 0 and bounds[-1][1] == len(text)
    for (s1, e1), (s2, _e2) in zip(bounds, bounds[1:], strict=False):
        assert e1 - s1 <= size and s2 < e1 and e1 - s2 >= overlap // 2


def test_a_finding_straddling_a_chunk_edge_is_kept(guard, monkeypatch):
    monkeypatch.setattr(guard, "chunk_chars", 300)
    monkeypatch.setattr(guard, "chunk_overlap", 60)
    phone = "06 12 34 56 78"
    for k in range(100, 160):  # place the number so a chunk ends inside it
        text = "a " * k + "call " + phone + " now " + "b " * 200
        at = text.index(phone)
        if any(at < e < at + len(phone) for _, e in chunk_bounds(text, 300, 60)):
            break
    else:
        pytest.fail("no layout puts a chunk edge inside the phone number")
    result = guard.inspect(text, "en")
    assert phone not in result.text and result.text.count("[PHONE_NUMBER]") == 1


def test_fail_closed_when_the_analyzer_breaks(guard, monkeypatch, caplog):
    secret = "I have diabetes, call 06 12 34 56 78"

    def boom(*args, **kwargs):
        raise RuntimeError(f"exploded while reading {secret}")

    monkeypatch.setattr(guard.analyzer, "analyze", boom)
    with caplog.at_level(logging.DEBUG):
        result = guard.inspect(secret, "en")
    assert result.failed and result.text == FAILED_PLACEHOLDER and result.findings == ()
    assert "could not check" in result.notice
    assert "RuntimeError" in caplog.text
    assert "diabetes" not in caplog.text and "06 12" not in caplog.text
    fr = guard.inspect("Je suis enceinte", "fr")
    assert fr.failed and "pas pu vérifier" in fr.notice


def test_presidio_loggers_are_quiet(guard):
    assert logging.getLogger("presidio-analyzer").getEffectiveLevel() >= logging.WARNING


def test_get_guard_is_a_singleton(guard):
    from guards.guard import get_guard

    assert get_guard() is guard and isinstance(guard, Guard)
