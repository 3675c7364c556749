"""Conversation state: what a turn means given the conversation so far (no models needed)."""

from __future__ import annotations

import pytest

from bot.conversation import (
    MemoryStateStore,
    State,
    Topic,
    moves_visitor,
    part_for_question,
    reanswer_for,
    remember,
    resolve,
)


def _state(**kw) -> State:
    return State("s1", **kw)


@pytest.mark.parametrize("message, named", [("I'm a former student", "alumni"), ("je suis ancien élève", "alumni")])
def test_an_audience_statement_answers_the_pending_question(message, named):
    state = _state(pending=Topic("how long do you keep my data?", "duration"))
    turn = resolve(message, "audience_statement", named, None, state)
    assert turn.from_pending and turn.question == "how long do you keep my data?"
    assert turn.audience == named and turn.answer_type == "duration"


@pytest.mark.parametrize("message, named", [("oh sorry, I finished my master back in 2019", "alumni"),
                                            ("je suis prof dans une de vos écoles", "staff")])
def test_saying_who_you_are_after_an_answer_for_another_part_answers_it_again(message, named):
    """No clarification was pending (the bot answered for students); the visitor then says who they
    are: the same question is answered again for their part, instead of "what would you like to know?"."""
    state = _state(last=Topic("how long do you keep my data?", "duration", ["students/VII-storage"], None))
    assert reanswer_for(state, named, {"students", "alumni", "staff"})
    turn = resolve(message, "audience_statement", named, None, state)
    assert (turn.question, turn.audience, turn.answer_type) == ("how long do you keep my data?", named, "duration")


@pytest.mark.parametrize("last", [Topic("who is the DPO?", "person", ["general/dpo"], None),
                                  Topic("how long do you keep my data?", "duration", ["alumni/VII-storage"], "alumni"),
                                  None])
def test_saying_again_who_you_are_after_a_general_or_matching_answer_repeats_nothing(last):
    assert not reanswer_for(_state(last=last, audience="alumni", audience_said=True), "alumni",
                            {"students", "alumni", "staff"}, said_before="alumni")


@pytest.mark.parametrize("message", ["yeah i'm on the alumni network, graduated in 2019",
                                     "oui je suis diplômé, promo 2019"])
def test_saying_who_you_are_after_an_answer_the_bot_guessed_the_part_of_answers_it_for_you(message):
    """Blind dialogue set 34: the bot answered "how long do you keep my account data?" from the alumni
    part on its own reading; the visitor then said they are an alumnus and got "what would you like
    to know?". The answer is now given again, as theirs."""
    state = _state(last=Topic("how long do you keep my account data?", "duration", ["alumni/VII-storage"], "alumni"))
    assert reanswer_for(state, "alumni", {"students", "alumni", "staff"}, said_before=None)
    turn = resolve(message, "audience_statement", "alumni", None, state)
    assert (turn.question, turn.audience) == ("how long do you keep my account data?", "alumni")


@pytest.mark.parametrize("message", ["and for alumni?", "et pour les anciens ?"])
def test_and_for_another_audience_repeats_the_last_question_for_it(message):
    state = _state(audience="students", last=Topic("who receives my data?", "recipients", ["students/IV-recipients"],
                                                     "students"))
    turn = resolve(message, "followup", "alumni", None, state)
    assert (turn.question, turn.audience, turn.answer_type) == ("who receives my data?", "alumni", "recipients")


@pytest.mark.parametrize("message, answer_type", [("how long for that one?", "duration"),
                                                  ("et combien de temps ?", "duration")])
def test_a_referring_turn_is_rewritten_from_the_last_topic(message, answer_type):
    state = _state(last=Topic("which cookies does google analytics set", "data_list", ["cookies/tables-2024"]))
    turn = resolve(message, "followup", None, answer_type, state)
    assert turn.rewritten and message in turn.question and "google analytics" in turn.question
    assert turn.answer_type == "duration" and turn.sections == ("cookies/tables-2024",)


def test_a_new_question_keeps_who_the_visitor_is_but_not_the_topic():
    state = _state(audience="staff", last=Topic("how long is my CV kept", "duration"))
    turn = resolve("do you send my data abroad?", "question", None, "transfer", state)
    assert not turn.rewritten and turn.question == "do you send my data abroad?" and turn.audience == "staff"


def test_remember_keeps_only_bounded_redacted_state_and_never_infers_who_the_visitor_is():
    state = _state()
    turn = resolve("x" * 5000, "question", None, "duration", state)
    remember(state, turn, "answer", sections=["staff/VII-storage"], entities=["Y" * 500])
    assert len(state.last.question) <= 600 and len(state.last.entities[0]) <= 80
    assert state.audience is None  # answering from the staff part does not make the visitor staff
    assert len(str(state.to_dict())) < 4096
    assert State.from_dict(state.to_dict()) == state


def test_memory_store_expires_and_bounds_sessions():
    now = [0.0]
    store = MemoryStateStore(ttl_s=10, max_sessions=2, clock=lambda: now[0], purge_every_s=0)
    for sid in ("a", "b", "c"):
        store.save(sid, {"session_id": sid})
    assert store.load("a") is None and store.load("c") == {"session_id": "c"}  # LRU bound
    now[0] = 11
    assert store.purge_expired() == 2 and len(store) == 0
    store.save("d", {"session_id": "d"})
    store.forget("d")
    assert store.load("d") is None


@pytest.mark.parametrize("message", ["who else gets to see it?", "et qui y a accès ?"])
def test_a_referring_turn_keeps_the_question_it_leans_on_as_context(message):
    """Retrieval reads the turn's own meaning first and the earlier question as context
    (`knowledge.query.follow_up`), so the earlier question is passed apart, not only joined."""
    state = _state(audience="staff", last=Topic("how long do you keep my CV?", "duration", ["staff/VII-storage"], "staff"))
    turn = resolve(message, "followup", None, "recipients", state)
    assert turn.context == "how long do you keep my CV?" and turn.answer_type == "recipients"


@pytest.mark.parametrize("message, intent, named", [("and for alumni?", "followup", "alumni"),
                                                    ("do you send my data abroad?", "question", None),
                                                    ("est-ce que vous envoyez mes données à l'étranger ?", "question", None)])
def test_a_question_that_stands_alone_has_no_context(message, intent, named):
    state = _state(audience="students", last=Topic("who receives my data?", "recipients", ["students/IV-recipients"],
                                                     "students"))
    assert resolve(message, intent, named, "transfer", state).context is None


@pytest.mark.parametrize("first, second, third", [
    ("I came to an open day. what info do you keep on me?", "and for how long?", "who sees it?"),
    ("je suis venu à une JPO, vous gardez quoi sur moi ?", "et combien de temps ?", "qui y a accès ?"),
])
def test_references_lean_on_the_question_they_refer_to_and_do_not_pile_up(first, second, third):
    """Round 13: each rewrite used to append the previous rewrite ("who sees it? — and for how long? — …"),
    so the third turn's search read the second turn's aspect (retention) before its own."""
    state = _state()
    t1 = resolve(first, "question", None, "data_list", state)
    remember(state, t1, "answer", sections=["prospects/I-source"])
    t2 = resolve(second, "followup", None, "duration", state)
    remember(state, t2, "answer", sections=["prospects/VII-storage"])
    t3 = resolve(third, "followup", None, "recipients", state)
    assert t3.context == first and second not in t3.question and t3.answer_type == "recipients"


@pytest.mark.parametrize("message", ["and how long for them?", "et combien de temps pour eux ?"])
def test_a_reference_is_answered_for_the_part_just_answered_not_the_visitors(message):
    """A student asked "and for alumni?" and got the alumni part: "how long for them?" is about alumni,
    while the visitor stays a student for new questions."""
    state = _state(audience="students", audience_said=True,
                   last=Topic("who receives my data?", "recipients", ["alumni/IV-recipients"], "alumni"))
    assert resolve(message, "followup", None, "duration", state).audience == "alumni"
    assert resolve("do you send my data abroad?", "question", None, "transfer", state).audience == "students"


@pytest.mark.parametrize("message, named, intent, writer, part", [
    # a group named as the topic of a full question: the visitor said they are a partner, so it stays theirs
    ("do your students get my email?", "students", "question", None, None),
    ("vos étudiants ont accès à mes coordonnées ?", "students", "question", None, None),
    ("how long after the apprenticeship ends do you keep it?", "students", "question", None, None),
    ("combien de temps après la fin de l'alternance ?", "students", "question", None, None),
    # the visitor says who they (also) are: it moves
    ("I'm also an alumna of the school, what do you keep on me?", "alumni", "question", "alumni", "alumni"),
    ("je suis aussi diplômée de l'ESCE, vous gardez quoi ?", "alumni", "question", "alumni", "alumni"),
    # a follow-up about another group: it moves ("and for alumni?" asks the same question for them)
    ("and for alumni?", "alumni", "followup", None, "alumni"),
    ("et pour les anciens ?", "alumni", "followup", None, "alumni"),
])
def test_once_the_visitor_said_who_they_are_a_group_in_a_question_is_its_topic(message, named, intent, writer, part):
    """Blind dialogue sets 33-34: a company tutor asking "do your students get my email?" was answered from
    the students' part (whose recipients are not the tutor's)."""
    state = _state(audience="partners", audience_said=True)
    assert part_for_question(state, named, intent, writer) == part


@pytest.mark.parametrize("inferred", [None, "partners"])
def test_before_the_visitor_said_who_they_are_the_question_reading_decides(inferred):
    state = _state(audience=inferred, audience_said=False)  # no part yet, or one only read from earlier questions
    assert part_for_question(state, "students", "question", None) == "students"


@pytest.mark.parametrize("message, named, intent", [
    ("are the cameras at the campus entrance even legal?", "cctv", "question"),
    ("et les caméras à l'entrée du campus, c'est légal ?", "cctv", "question"),
    ("and the CCTV footage, who sees it?", "cctv", "followup"),
    ("et les images de vidéosurveillance, qui les voit ?", "cctv", "followup"),
])
def test_a_part_about_a_topic_is_not_another_group_of_people(message, named, intent):
    """A part the profile marks `ask: false` (video surveillance) is about a topic, whoever the visitor is:
    a student asking about the cameras is answered from it, not kept in the students' part."""
    state = _state(audience="students", audience_said=True)
    assert part_for_question(state, named, intent, None, frozenset({"cctv"})) == "cctv"
    if intent == "question":  # a group of people named as a full question's topic still stays with the visitor
        assert part_for_question(state, "partners", intent, None, frozenset({"cctv"})) is None


@pytest.mark.parametrize("message, named, said", [
    ("and the info I typed in when registering for the open day?", "prospects", False),
    ("et les infos que j'ai données pour m'inscrire à la journée portes ouvertes ?", "prospects", False),
    ("please restrict the processing of my open day registration data", "prospects", False),
    ("je suis étudiant à l'ECE, et mes données de scolarité ?", "students", True),
])
def test_after_a_topic_part_the_next_group_named_is_who_the_visitor_is(message, named, said):
    """Blind dialogue set 40: "I mean the camera footage from when I came on campus for an open day" said
    what the question was about, not who the visitor is; "and the info I typed in when registering for the open
    day?" was then answered from the CCTV part, and so was every question after it."""
    state = _state(audience="cctv", audience_said=True)
    assert part_for_question(state, named, "question", None, frozenset({"cctv"})) == named
    assert moves_visitor(state, named, said, frozenset({"cctv"}))
    assert not moves_visitor(state, None, said, frozenset({"cctv"}))  # a message naming no part changes nothing
    people = _state(audience="alumni", audience_said=True)  # a group of people the visitor said stays theirs
    assert moves_visitor(people, named, said, frozenset({"cctv"})) == said


@pytest.mark.parametrize("message", ["what's it for?", "et ça sert à quoi ?"])
def test_a_reference_after_an_answer_from_a_topic_part_stays_in_that_part(message):
    """A student asked how long the security camera footage is kept (answered from the CCTV part):
    "what's it for?" asks the purpose of the footage, not of the student's data."""
    state = _state(audience="students", audience_said=True,
                   last=Topic("how long do you keep camera footage of me?", "duration", ["cctv/VII-storage"], "students"))
    assert resolve(message, "followup", None, "purpose", state, frozenset({"cctv"})).audience == "cctv"
    # without the part being a topic part, the reference is answered for the part the question was asked for
    assert resolve(message, "followup", None, "purpose", state).audience == "students"
