"""Whose processing is asked about? A question about another organisation's own practice (an employer that is
not the school, a landlord, a platform, general law) is refused: the policy says only how the school handles
data, and the reply says where to ask instead. A question about the school's own handling that names another
organisation is answered (round 19: intent `other_controller`, `bot/training/intents_f.yaml` and `_g.yaml`; round
30: organisations the policy names, `_h.yaml` and `_i.yaml`).
English and French side by side; the sentences are new (not from the training files or any evaluation set);
slow tier (real models)."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.slow

THEIRS = [
    ("en", "the supermarket where i work weekends checks our personal instagram accounts, can they do that?"),
    # before round 22 (the intent classifier reads character n-grams too): other_controller 0.79, under the 0.8
    # cut, so it was answered from the staff part (payslips)
    ("fr", "mon proprio veut une copie de mon passeport et de mes 3 derniers bulletins de salaire, il a le droit ?"),
    ("en", "is it legal for a dating app to sell my location to advertisers?"),
    ("fr", "ma banque a perdu mes données dans une fuite, je peux les attaquer ?"),
    # organisations the policy itself names, asked about their own handling (round 30, `intents_h.yaml`: before
    # it, both were read as the school's own processing and answered with the school's sentence about them)
    ("en", "once I'm admitted, does Parcoursup itself hold on to my list of wishes, and for how long?"),
    ("fr", "l'OPCO, de son côté, il garde mon dossier de financement combien de temps ?"),
    # a known miss, kept visible: read as the school's own processing (intent `question`), answered from the cookies part
    pytest.param("fr", "et youtube, de son côté, il fait quoi de l'historique des vidéos que je regarde sur vos pages ?",
                 marks=pytest.mark.xfail(strict=True, reason="read as the school's own processing (round 30)")),
]


@pytest.mark.parametrize("lang, text", THEIRS)
def test_another_organisations_practice_is_refused_and_the_reply_says_whom_to_ask(engine, lang, text):
    answer = engine.ask(text, lang=lang, record=False)
    assert answer.kind == "refusal", (answer.kind, answer.trace.get("intent"))
    assert answer.trace.get("intent") == "other_controller"
    assert not answer.citations
    assert ("another organisation" if lang == "en" else "autre organisme") in answer.text


OURS = [
    ("en", "does the school pass my grades on to the company where i do my apprenticeship?", "students/"),
    ("fr", "vous récupérez mon dossier parcoursup ou je dois tout renvoyer ?", "students/"),
    ("en", "is it even legal for you to email me ads after one open day?", "prospects/"),
    ("fr", "c'est quoi la base légale pour vos caméras à l'entrée du campus ?", "cctv/"),
    # the group's own organisations and recipients, named (round 30, `intents_i.yaml`: the publisher was refused
    # as "another organisation" once `intents_h.yaml` alone was added)
    ("en", "which firm publishes this site, and where is its registered office?", "general/"),
    ("fr", "vous envoyez quoi comme infos à l'opco qui finance mon alternance ?", "students/"),
]


@pytest.mark.parametrize("lang, text, part", OURS)
def test_the_schools_own_handling_is_answered_even_when_another_organisation_is_named(engine, lang, text, part):
    answer = engine.ask(text, lang=lang, record=False)
    assert answer.kind in ("answer", "clarification"), (answer.kind, answer.trace.get("intent"))
    if answer.kind == "answer":
        assert any(c.section_id.startswith(part) for c in answer.citations), [c.section_id for c in answer.citations]
