"""What a question asks for (a duration, a purpose, a definition...): the answer-type classifier reads the
question's embedding and its characters (round 32), so a visitor's casual wording of a labelled example is
read as that example's type, in English and in French."""

from __future__ import annotations

import pytest

from knowledge.query import analyse


@pytest.mark.slow
@pytest.mark.parametrize("question, lang, answer_type", [
    # round 31's classifier (embedding alone, C=4) read these as a list of data, a contact or a definition
    ("what do you do with my personal details?", "en", "purpose"),
    ("Slt vs faites quoi de mes donnees ?", "fr", "purpose"),
    ("what are you going to do with my contact info now?", "en", "purpose"),
    ("vous allez faire quoi de mes coordonnées ?", "fr", "purpose"),
    # and what it read right stays right
    ("how long do you keep my CV if I'm not hired?", "en", "duration"),
    ("vous gardez mon CV combien de temps si je suis pas pris ?", "fr", "duration"),
    ("what is a cookie exactly?", "en", "definition"),
    ("c koi un cookie exactement", "fr", "definition"),
    ("who gets my data when I apply?", "en", "recipients"),
    ("à qui vous envoyez mes données quand je candidate ?", "fr", "recipients"),
])
def test_a_question_is_read_for_what_it_asks(question, lang, answer_type):
    assert analyse(question, lang).answer_type.label == answer_type
