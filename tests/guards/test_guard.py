"""Guard behaviour: every language always, normalisation, public data, overlaps, bad input, chunking,
fail closed. Fast tier on the NLP-engine stub; the real spaCy models only in tests marked slow."""

import logging

import pytest

from guards.analyzer import build_recognizers
from guards.errors import ConfigError
from guards.guard import FAILED_PLACEHOLDER, Guard
from guards.language import detect_language
from guards.normalise import normalise
from guards.resolve import chunk_bounds, merge_overlaps
from guards.types import Finding, Inspection, Redacted


def test_inspection_shape(stub_guard):
    result = stub_guard.inspect("I'm pregnant, call 06 12 34 56 78", "en")
    assert isinstance(result, Inspection) and isinstance(result.redacted, Redacted)
    assert result.categories == frozenset({"HEALTH"})
    assert result.entities == ["HEALTH", "PHONE_NUMBER"]
    assert result.text == "I'm [HEALTH], call [PHONE_NUMBER]"
    for f in result.findings:
        assert set(f.to_dict()) == {"entity", "start", "end", "score"}
    assert not hasattr(result, "notice")  # the visitor notice is the bot's (bot/notice.py)


@pytest.mark.parametrize("lang, text", [
    ("en", "Do you process health data?"), ("fr", "Traitez-vous des données de santé ?"),
    ("en", "Do you check the criminal record of teachers?"), ("fr", "Vérifiez-vous le casier judiciaire des enseignants ?"),
    ("en", "How are passwords protected?"), ("fr", "Les images sont conservées 30 jours ?"), ("en", ""),
])
def test_topic_questions_are_untouched(stub_guard, lang, text):
    result = stub_guard.inspect(text, lang)
    assert result.text == text and not result.findings


@pytest.mark.parametrize("lang, text, entities", [
    ("en", "My name is Paul Martin and my email is paul@x.com. Can I get a copy of my data?",
     {"PERSON", "EMAIL_ADDRESS"}),
    ("fr", "Je m'appelle Paul Martin et mon e-mail est paul.martin@example.org : puis-je avoir mes données ?",
     {"PERSON", "EMAIL_ADDRESS"}),
])
def test_introducing_yourself_is_not_a_special_category(stub_guard, lang, text, entities):
    """The disclosure classifier reads a clause as later steps see it (the name and e-mail as
    placeholders): a self-introduction is a name and an address, nothing about health or orientation."""
    result = stub_guard.inspect(text, lang)
    assert {f.entity for f in result.findings} == entities, result.text


@pytest.mark.parametrize("hint, text, leaked", [
    # the hint in the other language, or a mixed message: every language's recognizers still run
    ("fr", "I have multiple sclerosis and my son is autistic.", ["multiple sclerosis", "autistic"]),
    ("en", "Je suis enceinte et mon frère est en prison.", ["enceinte", "prison"]),
    ("fr", "I was arrested last year for shoplifting.", ["arrested"]),
    ("en", "J'ai un casier judiciaire depuis 2019.", ["casier judiciaire"]),
    (None, "Bonjour, I'm HIV positive, est-ce que mes profs le sauront ?", ["HIV positive"]),
    ("en", "Hello, je suis syndiqué à la CGT and my password is Tulip#42", ["syndiqué", "Tulip#42"]),
])
def test_every_language_always(stub_guard, hint, text, leaked):
    result = stub_guard.inspect(text, hint)
    for value in leaked:
        assert value not in result.text, result.text


@pytest.mark.parametrize("text, value", [
    ("mail: emily.carter\u200b@gmail.com", "emily.carter\u200b@gmail.com"),
    ("tel 06\u00ad12\u00ad34\u00ad56\u00ad78", "06\u00ad12\u00ad34\u00ad56\u00ad78"),
    ("appelez le \uff10\uff16 \uff11\uff12 \uff13\uff14 \uff15\uff16 \uff17\uff18", "\uff10\uff16 \uff11\uff12 \uff13\uff14 \uff15\uff16 \uff17\uff18"),
    ("joignable au +33\u202f6\u202f12\u202f34\u202f56\u202f78", "+33\u202f6\u202f12\u202f34\u202f56\u202f78"),
    ("numéro 06\u201112\u201134\u201156\u201178", "06\u201112\u201134\u201156\u201178"),
    ("carte 4970.1000.0000.0006", "4970.1000.0000.0006"),
])
def test_normalised_text_and_offsets_in_the_original(stub_guard, text, value):
    result = stub_guard.inspect(text, "fr")
    assert len(result.findings) == 1
    f = result.findings[0]
    assert text[f.start:f.end] == value  # offsets index the visitor's text, invisible characters included
    assert result.text == text.replace(value, f"[{f.entity}]")


def test_normalise_maps_back():
    norm = normalise("a\u200bb\uff11c")
    assert norm.text == "ab1c" and norm.span(1, 3) == (2, 4)
    assert normalise("plain").identity


POLICY = ("Data Protection Officer: dpo@example-school.fr\n"
          "Head office: 43 quai de Grenelle - 75015 Paris\nTelephone number: 01 40 09 30 00\n"
          "Publisher: Example SAS, 12, rue de la Paix – Tour Paix – 69002 Lyon\n"
          "Photo credits: Thomas Lambert, Flore Maquin\nRCS Paris 445 260 169\n")


@pytest.fixture(scope="module")
def allow(stub_guard):
    return stub_guard.public_strings(POLICY)


@pytest.mark.parametrize("text", [
    "Is the DPO's address dpo@example-school.fr?",
    "Quelle est l'adresse du DPO ? dpo@example-school.fr ?",
    "Can I write to 43 quai de Grenelle, 75015 Paris?",
    "Is 01 40 09 30 00 the school's number?",
    "Le numéro RCS 445 260 169, c'est quelle société ?",
])
def test_public_strings_of_the_policy_stay(stub_guard, allow, text, monkeypatch):
    """The allowlist alone keeps them: with the contact-owner classifier releasing nothing, they stay in
    clear with the allowlist and go without it."""
    class ReleasesNothing:
        def release(self, text, findings):
            return findings

    monkeypatch.setattr(stub_guard, "owner", ReleasesNothing())
    assert stub_guard.inspect(text, None, allow=allow).text == text
    assert stub_guard.inspect(text, None).text != text  # without the allowlist they would go


@pytest.mark.parametrize("lang,text", [
    ("en", "Is the publisher's address still 12 rue de la Paix, 69002 Lyon?"),
    ("fr", "Je peux écrire au 12 rue de la Paix, 69002 Lyon ?"),
])
def test_a_published_address_quoted_shorter_stays(stub_guard, allow, lang, text, monkeypatch):
    """A visitor leaves out a few words of the published address (the building's name): still public."""
    class ReleasesNothing:
        def release(self, text, findings):
            return findings

    monkeypatch.setattr(stub_guard, "owner", ReleasesNothing())
    assert stub_guard.inspect(text, lang, allow=allow).text == text


@pytest.mark.parametrize("lang,text", [
    ("en", "I live at 14 rue de la Paix, 69002 Lyon, please update my file."),
    ("fr", "J'habite 14 rue de la Paix, 69002 Lyon, mettez à jour mon dossier."),
])
def test_a_visitors_address_on_a_published_street_goes(stub_guard, allow, lang, text):
    assert "14 rue de la Paix" not in stub_guard.inspect(text, lang, allow=allow).text


def test_allowlist_never_covers_the_visitors_own_data(stub_guard, allow):
    text = "Please write to lea.martin@gmail.com, not to dpo@example-school.fr. My number is 06 11 22 33 44."
    result = stub_guard.inspect(text, "en", allow=allow)
    assert "lea.martin@gmail.com" not in result.text and "06 11 22 33 44" not in result.text
    assert "dpo@example-school.fr" in result.text


def test_overlaps_merge_without_nesting():
    spans = merge_overlaps([Finding("PHONE_NUMBER", 5, 15, 0.85), Finding("FR_NIR", 3, 24, 1.0), Finding("HEALTH", 30, 38, 0.85)])
    assert [(s.entity, s.start, s.end) for s in spans] == [("FR_NIR", 3, 24), ("HEALTH", 30, 38)]
    assert merge_overlaps([Finding("PERSON", 0, 20, 0.9), Finding("CRIMINAL", 0, 20, 0.6)])[0].entity == "CRIMINAL"
    assert merge_overlaps([Finding("ID_NUMBER", 0, 9, 0.5), Finding("PHONE_NUMBER", 0, 9, 0.85)])[0].entity == "PHONE_NUMBER"


@pytest.mark.parametrize("text, person", [
    ("my daughter Chloe has severe asthma and misses class", "Chloe"),
    ("mon frère Hugo est sous chimiothérapie depuis mars", "Hugo"),
])
def test_a_disclosure_is_split_around_a_name_inside_it_not_cut_short(text, person):
    """Round 16: the disclosure used to stop at the name and what followed stayed in clear."""
    at = text.index(person)
    spans = merge_overlaps([Finding("HEALTH", 0, len(text), 0.85), Finding("PERSON", at, at + len(person), 0.9)], text)
    assert [(s.entity, text[s.start:s.end]) for s in spans] == [  # each piece without the spaces around it
        ("HEALTH", text[:at].strip()), ("PERSON", person), ("HEALTH", text[at + len(person):].strip())]


@pytest.mark.parametrize("text, lexicon_term, kept", [
    ("My DNA report says I have the HFE variant", "DNA report says", ["My", "I have the HFE variant"]),
    ("mon bilan génétique dit que je porte la variante HFE", "bilan génétique", ["dit que je porte la variante HFE"]),
    ("I have diabetes", "diabetes", []),  # "I have" alone is no disclosure of its own
    ("j'ai du diabète", "diabète", []),
])
def test_a_classifier_clause_is_kept_around_a_lexicon_term_inside_it(text, lexicon_term, kept):
    """Round 16: the clause used to be dropped whenever a lexicon term was inside it, and its rest stayed in clear."""
    from guards.guard import CLASSIFIER_PREFIX, _classifier_fallback

    at = text.index(lexicon_term)
    found = [Finding("GENETIC", at, at + len(lexicon_term), 0.85, "SpecialCategoryRecognizer_en"),
             Finding("GENETIC", 0, len(text), 0.7, CLASSIFIER_PREFIX + "_en")]
    pieces = [text[f.start:f.end] for f in _classifier_fallback(text, found) if f.recognizer.startswith(CLASSIFIER_PREFIX)]
    assert [p for p in pieces if len(p.split()) >= 3] == [k for k in kept if len(k.split()) >= 3]
    assert all(len(p.split()) >= 3 for p in pieces), pieces


@pytest.mark.parametrize("piece", ["у неё рак", "الربو المزمن", "患有哮喘 很久"])
def test_a_piece_in_any_script_is_kept(piece):
    from guards.guard import _piece

    text = f"My mother, {piece}, can she visit?"
    at = text.index(piece)
    g = Finding("HEALTH", at, at + len(piece), 0.7, "DisclosureClassifierRecognizer_en")
    assert [(f.start, f.end) for f in _piece(text, g, at, at + len(piece))] == [(at, at + len(piece))]


@pytest.mark.parametrize("text, lang", [
    ("", None), ("   \n\t ", None), ("😀🎓🔥 " * 50, None),
    ("I have diabetes 😀 и я живу в Москве 東京, call 06 12 34 56 78", None),
    ("Ich bin Diabetiker, meine Nummer ist +49 30 1234567 und meine E-Mail hans@example.de", None),
    ("I have\x00 diabetes\x07 call 06 12 34 56 78\x1b", "en"),
    ("Je suis enceinte\u200b\u202e appelez le 06 12 34 56 78", "fr"),
])
def test_bad_input_never_raises_and_never_leaks(stub_guard, text, lang):
    result = stub_guard.inspect(text, lang)
    assert not result.failed
    for value in ("06 12 34 56 78", "hans@example.de", "+49 30 1234567"):
        assert value not in result.text


def test_non_string_input_fails_closed(stub_guard):
    result = stub_guard.inspect(None)  # type: ignore[arg-type]
    assert result.failed and result.text == FAILED_PLACEHOLDER


def test_long_text_is_chunked_and_keeps_findings_at_every_edge(stub_guard):
    filler = "The policy explains how long data is kept by the schools of the group. "
    text = (filler * 80 + "Write to emily.carter92@gmail.com or call 06 12 34 56 78. ") * 9
    result = stub_guard.inspect(text, "en")
    assert len(text) > 50_000 and not result.failed
    assert result.text.count("[EMAIL_ADDRESS]") == 9 and result.text.count("[PHONE_NUMBER]") == 9


@pytest.mark.parametrize("size, overlap", [(5000, 200), (300, 40)])
def test_chunk_bounds_cover_text_with_overlap(size, overlap):
    text = ("word " * 3000) + "x" * 10
    bounds = chunk_bounds(text, size, overlap)
    assert bounds[0][0] == 0 and bounds[-1][1] == len(text)
    for (s1, e1), (s2, _e2) in zip(bounds, bounds[1:], strict=False):
        assert e1 - s1 <= size and s2 < e1 and e1 - s2 >= overlap // 2


def test_fail_closed_when_the_analyzer_breaks(stub_guard, monkeypatch, caplog):
    secret = "I have diabetes, call 06 12 34 56 78"

    def boom(*args, **kwargs):
        raise RuntimeError(f"exploded while reading {secret}")

    monkeypatch.setattr(stub_guard.analyzer, "analyze", boom)
    with caplog.at_level(logging.DEBUG):
        result = stub_guard.inspect(secret, "en")
    assert result.failed and result.text == FAILED_PLACEHOLDER and result.findings == ()
    assert "RuntimeError" in caplog.text and "diabetes" not in caplog.text and "06 12" not in caplog.text


@pytest.mark.parametrize("entries, message", [
    ([{"name": "NoSuchRecognizer"}], "no recognizer class 'NoSuchRecognizer'"),
    ([{"name": "EmailRecognizer", "unknown_option": 3}], "EmailRecognizer"),
])
def test_bad_registry_entry_says_how_to_fix(entries, message):
    with pytest.raises(ConfigError, match=message):
        build_recognizers("en", entries)


def test_a_recognizer_is_a_class_plus_a_yaml_entry():
    names = {type(r).__name__ for r in build_recognizers("fr")}
    assert {"SecretRecognizer", "StatedIdentifierRecognizer", "SpecialCategoryRecognizer",
            "DisclosureClassifierRecognizer", "CreditCardRecognizer", "UsSsnRecognizer"} <= names


@pytest.mark.parametrize("text, expected", [
    ("Do you process health data?", "en"), ("Traitez-vous des données de santé ?", "fr"), ("merci", "fr"),
    ("hello", "en"), ("Wie lange speichern Sie meine persönlichen Daten?", "de"), ("", "en"), ("👍", "en"),
])
def test_detect_language(text, expected):
    assert detect_language(text) == expected


@pytest.mark.slow
def test_real_models_find_names_and_keep_public_words(guard):
    result = guard.inspect("Yesterday I met Zofia Kowalczyk-Brandt at the Open Day in Paris.", "en")
    # "Paris" is not asserted: since round 18 the place reader reads this first-person sentence as locating the
    # writer and redacts it (an accepted over-redaction, README "places without a cue")
    assert "Zofia Kowalczyk-Brandt" not in result.text and "Open Day" in result.text
    assert logging.getLogger("presidio-analyzer").getEffectiveLevel() >= logging.WARNING


@pytest.mark.slow
def test_get_guard_is_a_singleton(guard):
    from guards.guard import get_guard

    assert get_guard() is guard and isinstance(guard, Guard)


@pytest.mark.parametrize("lang, text, private", [
    ("en", "Hi, my name is Thomas, can you call me back about the open day?", "Thomas"),
    ("fr", "Bonjour, je m'appelle Thomas, vous pouvez me rappeler pour la JPO ?", "Thomas"),
    ("en", "I live in Paris, is the campus far from me?", "Paris"),
    ("fr", "j'habite à Paris, le campus est loin de chez moi ?", "Paris"),
])
def test_a_visitors_first_name_or_town_is_not_public_because_the_policy_prints_it(stub_guard, allow, lang, text,
                                                                                  private):
    """The policy's photo credits print "Thomas Lambert" and its address "75015 Paris": before round 17 a
    visitor called Thomas, or living in Paris, kept that in clear, since the value lay inside a public string.
    A first name alone, or a place a cue ties to the writer, says less than the published item."""
    assert private not in stub_guard.inspect(text, lang, allow=allow).text


@pytest.mark.parametrize("lang, text", [
    ("en", "Are the photos on the site by Thomas Lambert?"),
    ("fr", "Les photos du site sont de Thomas Lambert ?"),
])
def test_a_published_full_name_stays_in_clear(stub_guard, allow, lang, text, monkeypatch):
    class ReleasesNothing:
        def release(self, text, findings):
            return findings

    monkeypatch.setattr(stub_guard, "owner", ReleasesNothing())
    assert "Thomas Lambert" in stub_guard.inspect(text, lang, allow=allow).text
