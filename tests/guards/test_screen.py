"""The disclosure screen (`guards/screen.py`): a character n-gram regression that clears the sentences
that are clearly no disclosure, so the sentence encoder runs only on the others. English and French side
by side; the sentences were written for these tests, none comes from a training or evaluation set."""

import numpy as np
import pytest

from guards.disclosure import MODEL_FILE, DisclosureModel
from guards.errors import ModelMissingError
from guards.screen import Screen, counts, load_screen, weigh

# the writer says who they are and asks about the policy: cleared, no encoder call (a narrative about
# oneself, "my parents paid the fees, can they see my invoices?", is not clearly none: the encoder reads it)
CLEARED = [
    ("en", "I'm a first-year student at ECE, how long do you keep my grades?"),
    ("fr", "Je suis en première année à l'ECE, combien de temps gardez-vous mes notes ?"),
    ("en", "As an alumnus, can I ask you to delete my account?"),
    ("fr", "En tant qu'ancien élève, puis-je vous demander de supprimer mon compte ?"),
    ("en", "I work in HR at a partner company, who do I contact about my employees' data?"),
    ("fr", "Je travaille aux RH d'une entreprise partenaire, qui contacter pour les données de mes salariés ?"),
]

# a disclosure, with or without a lexicon word: never cleared, the encoder decides
KEPT_FOR_THE_ENCODER = [
    ("en", "I was diagnosed with epilepsy last spring", "HEALTH"),
    ("fr", "On m'a diagnostiqué une épilepsie au printemps dernier", "HEALTH"),
    ("en", "My brother spent two years behind bars", "CRIMINAL"),
    ("fr", "Mon frère a fait deux ans de prison", "CRIMINAL"),
    ("en", "I pray five times a day and need a quiet room", "RELIGION"),
    ("fr", "Je prie cinq fois par jour et j'aurais besoin d'une salle calme", "RELIGION"),
    ("en", "I'm bisexual and my family doesn't know", "SEXUAL_ORIENTATION"),
    ("fr", "Je suis bisexuel et ma famille ne le sait pas", "SEXUAL_ORIENTATION"),
    ("en", "I'm an active member of the CGT union at work", "TRADE_UNION"),
    ("fr", "Je suis adhérente à la CGT depuis dix ans", "TRADE_UNION"),
]


def _counting_model():
    calls = []

    def encoder(texts):
        calls.append(list(texts))
        return np.zeros((len(texts), 384), np.float32)

    return DisclosureModel(MODEL_FILE, encoder=encoder, screen=load_screen()), calls


@pytest.mark.parametrize("lang, text", CLEARED)
def test_a_sentence_that_discloses_nothing_is_not_encoded(lang, text):
    model, calls = _counting_model()
    assert model.near(text, 0.3) is False
    assert calls == []


@pytest.mark.parametrize("lang, text, category", KEPT_FOR_THE_ENCODER)
def test_a_disclosure_goes_to_the_encoder(lang, text, category):
    model, calls = _counting_model()
    model.near(text, 0.3)
    assert calls == [["query: " + text]]


def test_the_features_are_scikit_learns_tfidf():
    """Sublinear tf, smoothed idf, l2 norm over the kept columns: what TfidfTransformer computes."""
    from sklearn.feature_extraction.text import TfidfTransformer

    from guards.training.build_screen import vocabulary

    texts = ["j'ai une épilepsie", "I have epilepsy", "I have a question", "j'ai une question", "a question"]
    raw = counts(texts)
    features, idf = vocabulary(raw)
    ours = weigh(raw, features, idf).toarray()
    theirs = TfidfTransformer(sublinear_tf=True).fit_transform(raw[:, features]).toarray()
    assert np.allclose(ours, theirs, atol=1e-5)


def test_no_text_is_no_work():
    assert load_screen().clear([]) == []


def test_a_missing_screen_says_how_to_rebuild(tmp_path):
    with pytest.raises(ModelMissingError, match="build_screen"):
        Screen(tmp_path / "absent.npz")


def test_a_broken_screen_says_how_to_rebuild(tmp_path):
    path = tmp_path / "broken.npz"
    np.savez(path, features=np.arange(3), idf=np.ones(2), weights=np.ones(3), bias=0.0, gate=0.1)
    with pytest.raises(ModelMissingError, match="build_screen"):
        Screen(path)
