"""One turn of the conversation: route the (redacted, analysed) message, resolve it against the
conversation state, and hand it to the matching answerer. Returns a `Reply`; the engine wraps it
into an `Answer`, saves the state and records the exchange."""

from __future__ import annotations

from dataclasses import replace

from bot import conversation, routing
from bot.answers import Reply, assistant, compose, organisation, policy, rights_answer, simple
from bot.catalogue import t
from bot.conversation import State
from knowledge.query import Query, audience_in_conversation
from knowledge.retrieve import Retriever

REFUSAL_KEYS = {"injection": "refusal_injection", "other_person": "refusal_other_person",
                "out_of_scope": "refusal_out_of_scope", "other_controller": "refusal_other_controller",
                "empty": "not_understood"}



def respond(query: Query, state: State, retriever: Retriever, *, audience_hint: str | None = None,
            notice=None, findings=()) -> Reply:
    lang = query.lang
    threshold = retriever.not_found_threshold(query.model)
    parts = set(retriever.audiences)
    writer = query.writer_named(parts)  # the part the visitor says they belong to (None: they don't say)
    named = audience_in_conversation(query, state.audience, parts)
    ranked = compose.rank(retriever, query, named or state.audience)
    top = ranked[0].score if ranked else 0.0
    r = routing.route(query, evidence=top, strong=policy.strong_evidence(threshold),
                      has_context=state.last is not None, pending=state.pending is not None,
                      writer_named=routing.names_only_the_writer(findings))
    kept = conversation.part_for_question(state, named, r.intent, writer, retriever.topic_parts)
    if kept != named:  # a group the question is about, not who asks: answered for the visitor's own part
        named, ranked = kept, compose.rank(retriever, query, state.audience)
    base = {"intent": r.intent, "intent_confidence": round(r.confidence, 3), "audience_named": named,
            "evidence": round(top, 4)}
    org = {"organisation": organisation(retriever.profile, lang)}
    if r.intent in REFUSAL_KEYS:
        return simple("refusal", REFUSAL_KEYS[r.intent], lang, capabilities=r.intent != "injection",
                      values=org if r.intent in ("out_of_scope", "other_controller") else None, **base)
    if r.intent == "greeting":
        return simple("greeting", "greeting", lang, capabilities=True, values=org, **base)
    if r.intent == "thanks":
        return simple("greeting", "thanks", lang, **base)
    if r.intent == "audience_statement":
        # the whole message says who the visitor is: its own reading wins over the conversation's
        named = base["audience_named"] = query.audience_named(parts) or named
        if named is None:  # …and when it names no part after all, it is a question in context
            r = replace(r, intent="followup" if state.last is not None else "question")
            base["intent"] = r.intent
    said = bool(writer) or state.pending is not None \
        or r.intent == "audience_statement"
    said_before = state.audience if state.audience_said else None
    if conversation.moves_visitor(state, named, said, retriever.topic_parts):
        # who the visitor is: once they have said it, a question about another part does not change it
        state.audience, state.audience_said = named, said
    if r.intent == "assistant":
        turn = conversation.Turn(query.text, named or state.audience, query.answer_type.label)
        return assistant.with_policy(assistant.answer(query, notice, lang, base),
                                     policy.answer(query, turn, state, retriever, threshold, base, hits=ranked))
    if r.intent == "audience_statement" and state.pending is None \
            and not conversation.reanswer_for(state, named, retriever.audiences, said_before):
        return Reply("greeting", t("audience_noted", lang, audience=t(f"aud_{named}", lang)),
                     quick_replies=policy.starters(lang), trace=base)
    audience = named or state.audience or (audience_hint if audience_hint in retriever.audiences else None)
    if r.intent == "rights":
        reply = rights_answer.answer(retriever, r.right or "overview", audience, lang, base)
        conversation.remember(state, conversation.Turn(query.text, audience, None), reply.kind,
                              sections=[c.section_id for c in reply.citations])
        return reply
    answer_type = query.answer_type.label
    turn = conversation.resolve(query.text, r.intent, named, answer_type, state, retriever.topic_parts)
    if turn.audience is None and audience:
        turn = replace(turn, audience=audience)
    own = ranked if turn.question == query.text else None  # the message's own reading
    same = own is not None and turn.audience == (named or state.audience)
    return policy.answer(query, turn, state, retriever, threshold, base, hits=ranked if same else None,
                         right=routing.right_asked_about(query, r), own=own)
