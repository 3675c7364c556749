"""Canary: personal data sent to the bot never reaches disk, a log line or the database.

Conversations (EN and FR) carry unique canary values for every entity type and every GDPR
Art. 9 special category. They go through the real stack: the real guard, the real store
(SQLite and PostgreSQL), logging configured at DEBUG to a file and a captured stream (and the
real engine, with a real knowledge index). Then every file under PRIVACYBOT_HOME (binary, WAL and
-shm included), every log output, the process's stdout/stderr and a full database dump are
searched for every canary: zero hits. The feedback path is checked the same way.
"""

from __future__ import annotations

import hashlib
import importlib.util
import io
import logging
import os
import random
import shutil
import sqlite3
import string
import subprocess
import threading
from pathlib import Path

import pytest

from bot.logsafe import configure_logging, log_event
from tests.store.test_logsafe import clean_logging  # noqa: F401  (fixture)

HAVE_GUARD = importlib.util.find_spec("guards.guard") is not None
HAVE_ENGINE = importlib.util.find_spec("bot.engine") is not None

pytestmark = pytest.mark.skipif(
    not HAVE_GUARD and not os.environ.get("CI"),
    reason="guards/guard.py is not built yet: the canary needs the real guard (fails instead under CI).",
)


def _luhn_digit(body: str) -> str:
    total = 0
    for i, ch in enumerate(reversed(body)):
        d = int(ch) * (2 if i % 2 == 0 else 1)
        total += d - 9 if d > 9 else d
    return str((10 - total % 10) % 10)


def _fr_iban(rnd: random.Random) -> str:
    bban = "".join(rnd.choice(string.digits) for _ in range(23))
    check = 98 - int(bban + "152700") % 97  # F=15 R=27, "00" placeholder
    raw = f"FR{check:02d}{bban}"
    return " ".join(raw[i:i + 4] for i in range(0, len(raw), 4))


def _nir(rnd: random.Random) -> str:
    body = f"{rnd.choice('12')}{rnd.randint(60, 99):02d}{rnd.randint(1, 12):02d}{rnd.randint(1, 95):02d}" \
           f"{rnd.randint(1, 999):03d}{rnd.randint(1, 999):03d}"
    key = 97 - int(body) % 97
    return f"{body[0]} {body[1:3]} {body[3:5]} {body[5:7]} {body[7:10]} {body[10:13]} {key:02d}"


def make_canaries(seed: int) -> list[tuple[str, str, str, list[str]]]:
    """(lang, category, message, needles): needles are what must never be found anywhere."""
    rnd = random.Random(seed)
    tok = "".join(rnd.choice(string.ascii_lowercase) for _ in range(7))
    num = lambda n: "".join(rnd.choice(string.digits) for _ in range(n))  # noqa: E731
    phone = "06 " + " ".join(f"{rnd.randint(10, 99)}" for _ in range(4))
    card_body = "4" + num(14)
    card = card_body + _luhn_digit(card_body)
    card_spaced = " ".join(card[i:i + 4] for i in range(0, 16, 4))
    iban, nir = _fr_iban(rnd), _nir(rnd)
    ine = num(10) + "K"
    ip = f"10.{rnd.randint(1, 254)}.{rnd.randint(1, 254)}.{rnd.randint(1, 254)}"
    dob = f"{rnd.randint(10, 28)}/{rnd.randint(10, 12)}/19{rnd.randint(70, 99)}"
    passport = f"{rnd.randint(10, 99)}{rnd.choice('ABCDEFGHJK')}{rnd.choice('LMNPQRSTUV')}{num(5)}"
    password = f"Zq{tok}#{num(3)}"
    ssn = f"{rnd.randint(100, 665)}-{rnd.randint(10, 99)}-{num(4)}"
    student = f"{rnd.randint(20, 29)}{rnd.choice('ABCDEFG')}{num(5)}"
    name = f"Zorglub Quentinova{tok}"
    street = f"Zorglubiers{tok}"
    flat = lambda s: s.replace(" ", "")  # noqa: E731
    email = f"zq.{tok}@example.org"
    entities = {
        "EMAIL_ADDRESS": (f"Please write to {email} about my file.", f"Écrivez-moi à {email} s'il vous plaît.", [email, f"zq.{tok}"]),
        "PHONE_NUMBER": (f"You can call me on {phone}.", f"Mon numéro est le {phone}.", [phone, flat(phone)]),
        "IBAN_CODE": (f"My IBAN is {iban} for the refund.", f"Mon IBAN est {iban} pour le remboursement.", [iban, flat(iban)]),
        "CREDIT_CARD": (f"I paid with card {card_spaced}.", f"J'ai payé avec la carte {card_spaced}.", [card_spaced, card]),
        "FR_NIR": (f"My social security number is {nir}.", f"Mon numéro de sécurité sociale est {nir}.", [nir, flat(nir)]),
        "FR_INE": (f"My student number INE is {ine}.", f"Mon numéro INE est {ine}.", [ine]),
        "IP_ADDRESS": (f"My IP address is {ip}.", f"Mon adresse IP est {ip}.", [ip]),
        "STREET_ADDRESS": (f"I live at 12 rue des {street}, 75011 Paris.", f"J'habite au 12 rue des {street}, 75011 Paris.", [street]),
        "PERSON": (f"My name is {name}.", f"Je m'appelle {name}.", [name, f"Quentinova{tok}"]),
        "DATE_OF_BIRTH": (f"I was born on {dob}.", f"Je suis né le {dob}.", [dob]),
        "PASSPORT": (f"My passport number is {passport}.", f"Mon numéro de passeport est {passport}.", [passport]),
        "SECRET": (f"My password is {password}, can you reset it?", f"Mon mot de passe c'est {password}, vous pouvez le changer ?",
                   [password]),
        "US_SSN": (f"My SSN is {ssn}.", f"Mon SSN c'est le {ssn}.", [ssn, ssn.replace("-", "")]),
        "ID_NUMBER": (f"My student number is {student}.", f"Mon numéro étudiant est {student}.", [student]),
    }
    special = {
        "HEALTH": ("I have type 1 diabetes, can you keep that private?", "J'ai un diabète de type 2, est-ce confidentiel ?",
                   ["diabetes", "diabète", "diabete"]),
        "RELIGION": ("I am Muslim and I pray on Fridays.", "Je suis musulmane pratiquante.", ["muslim", "musulman"]),
        "SEXUAL_ORIENTATION": ("I am gay, will the school know?", "Je suis homosexuel, l'école le saura-t-elle ?",
                               ["am gay", "homosexuel"]),  # 6+ bytes: never by chance in binary files
        "SEX_LIFE": ("I had a one-night stand with a classmate.", "Ma vie sexuelle ne vous regarde pas.",
                     ["one-night stand", "one night stand", "vie sexuelle"]),
        "ETHNIC_ORIGIN": ("I'm of Moroccan origin.", "Je suis d'origine marocaine.", ["moroccan", "marocaine"]),
        "POLITICAL_OPINION": ("I voted for Melenchon last year.", "J'ai voté pour Mélenchon.", ["melenchon", "mélenchon"]),
        "TRADE_UNION": ("I am the shop steward at my workplace.", "Je suis syndiqué à la CGT.",
                        ["shop steward", "syndiqu"]),
        "GENETIC": ("I took a DNA test last month.", "J'ai fait un test ADN le mois dernier.", ["dna test", "test adn"]),
        "BIOMETRIC": ("My fingerprints were scanned at the door.", "Mes empreintes digitales ont été scannées.",
                      ["fingerprint", "empreintes digitales"]),
        "CRIMINAL": ("I have a criminal record for shoplifting.", "J'ai un casier judiciaire pour vol à l'étalage.",
                     ["criminal record", "casier judiciaire"]),
    }
    out = []
    for category, (en, fr, needles) in {**entities, **special}.items():
        out.append(("en", category, en, needles))
        out.append(("fr", category, fr, needles))
    return out


OTHER = {"en": "fr", "fr": "en"}
MIXED = {"en": "Bonjour, petite question : ", "fr": "Hello, quick question: "}


def variants(canaries):
    """Each canary as written, with the hint in the OTHER language, and inside a mixed EN/FR
    message: (hint, category, message, needles)."""
    for lang, category, message, needles in canaries:
        yield lang, category, message, needles
        yield OTHER[lang], category, message, needles
        yield None, category, MIXED[lang] + message, needles


def _hits(blob: bytes, needles: list[str], before: dict[str, int] | None = None) -> list[str]:
    """Needles found in `blob`; with `before` (the counts in the same file before the first
    canary was sent), only needles that occur more often now."""
    low = blob.lower()
    return [n for n in needles if low.count(n.lower().encode("utf-8")) > (before or {}).get(n, 0)]


def _snapshot(home: Path, canaries) -> dict[str, dict[str, int]]:
    """Per file under `home`, how often each needle occurs before the conversation: a file that
    legitimately changes (the database, its WAL, the logs) must not gain one. The knowledge index
    holds ~2 MB of float embeddings, in which a 3-letter needle ("gay") occurs by chance, hence
    counts. The knowledge base itself must not change at all (`_kb_hashes`, the stricter test)."""
    needles = [n for *_, ns in canaries for n in ns]
    return {str(p.relative_to(home)): {n: p.read_bytes().lower().count(n.lower().encode("utf-8")) for n in needles}
            for p in home.rglob("*") if p.is_file()}


def _kb_hashes(home: Path) -> dict[str, str]:
    """sha256 of every file of the knowledge base under `home` (kb/: manifest, vectors and the whole
    Chroma directory, chroma.sqlite3 and the HNSW segment files). A serving process must never write
    there: Chroma re-created the files of a never-persisted HNSW segment on every open from a buffer
    that was never zeroed, so data_level0.bin carried raw visitor text from the process's freed
    memory (knowledge/store.py `_memory_collections`). Any change of a byte fails, leak or not."""
    hashes = {str(p.relative_to(home)): hashlib.sha256(p.read_bytes()).hexdigest()
              for p in sorted((home / "kb").rglob("*")) if p.is_file()}
    assert any("/chroma/" in name for name in hashes) and any(name.endswith("data_level0.bin") for name in hashes), \
        sorted(hashes)  # the index files really are covered
    return hashes


def _kb_changes(home: Path, before: dict[str, str]) -> list[str]:
    after = _kb_hashes(home)
    return sorted(name for name in set(before) | set(after) if before.get(name) != after.get(name))


def _db_dump(store, pg_url_value: str | None) -> bytes:
    if store.backend == "sqlite":
        conn = sqlite3.connect(store.where)
        try:
            return "\n".join(conn.iterdump()).encode("utf-8")
        finally:
            conn.close()
    from sqlalchemy.engine import make_url

    from tests.store_fixtures import _pg_bin

    url = make_url(pg_url_value)
    proc = subprocess.run([str(_pg_bin() / "pg_dump"), "-h", url.host, "-p", str(url.port), "-U", url.username,
                           "--data-only", url.database], capture_output=True, timeout=60, check=True)
    assert b"COPY public.messages" in proc.stdout  # the dump really holds the table data
    return proc.stdout


def _converse(store, guard, canaries, logger) -> None:
    """Drive guard + store + logging the way the engine does (used when bot/engine.py is absent)."""
    for lang in ("en", "fr"):
        sid = store.create_session("ece.fr", lang)
        log_event(logger, "chat.session", session=sid, lang=lang)
        for msg_lang, category, message, _ in canaries:
            if msg_lang != lang:
                continue
            inspection = guard.inspect(MIXED[msg_lang] + message, lang=OTHER[msg_lang])
            mid = store.add_message(sid, "visitor", inspection.redacted, findings=inspection.findings, latency_ms=1.0)
            logger.debug("visitor message stored id=%s entities=%s", mid, inspection.entities)
            reply = guard.redact(f"Noted: {inspection.text}. See the policy, section VII.")
            bot_id = store.add_message(sid, "bot", reply, kind="answer", citations=["students/VII-storage"])
            # Feedback path: the comment repeats the canary.
            store.add_feedback(sid, "down", guard.inspect(f"Wrong answer. {message}", lang=lang).redacted, bot_id)
            # A library that logs raw text at INFO/DEBUG must stay silent at our configured levels.
            logging.getLogger("presidio-analyzer").info("analyzing %s", message)
            logging.getLogger("spacy").debug("doc %s", message)
            # An exception carrying the raw text is logged as type + location only.
            try:
                raise ValueError(f"could not handle {message}")
            except ValueError:
                logger.exception("handling failed for category=%s", category)


def _converse_engine(store, guard, canaries) -> None:
    """The real engine (guard, retrieval, composition, store writes), then the feedback path as
    the UI does it: the comment goes through the guard before the store."""
    from bot.engine import Engine
    from bot.settings import load_settings
    from bot.store import SafeStore

    engine = Engine(load_settings(), guard=guard, store=SafeStore(store))
    for lang in ("en", "fr"):
        sid = None
        for msg_lang, _category, message, _ in canaries:
            if msg_lang != lang:
                continue
            answer = engine.ask(message, session_id=sid, lang=OTHER[lang], site="ece.fr")  # the hint lies
            assert answer.trace.get("store") == "ok", answer.trace
            sid = answer.session_id
            store.add_feedback(sid, "up", guard.inspect(message, lang=lang).redacted)


@pytest.fixture(scope="session")
def canary_kb(request):
    """The knowledge index the engine needs: the session's shared `kb_home` build (one ingest per
    run), or `PRIVACYBOT_TEST_KB_HOME` to reuse an existing home with a built `kb/`."""
    existing = os.environ.get("PRIVACYBOT_TEST_KB_HOME")
    if existing:
        return Path(existing) / "kb"
    return request.getfixturevalue("kb_home") / "kb"


@pytest.mark.slow
def test_no_canary_reaches_disk_logs_or_database(any_store, privacybot_home, clean_logging, capfd, request):  # noqa: F811
    from guards.guard import get_guard

    guard = get_guard()
    canaries = make_canaries(seed=random.SystemRandom().randint(0, 2**31))
    stream = io.StringIO()
    log_file = privacybot_home / "logs" / "privacybot.log"
    configure_logging("DEBUG", stream=stream, file=log_file)
    logger = logging.getLogger("bot.canary")

    # The guard must actually catch each canary, whatever the language hint says and in mixed
    # EN/FR messages (a miss is reported by category, not hidden).
    missed = []
    for hint, category, message, needles in variants(canaries):
        redacted = guard.inspect(message, lang=hint).text
        if _hits(redacted.encode(), needles):
            missed.append(f"{hint}:{category}")
    assert not missed, f"guard left these canaries in the redacted text: {missed}"

    use_engine = HAVE_ENGINE and any_store.backend == "sqlite"  # once is enough: it is slow on 2 cores
    before: dict[str, dict[str, int]] = {}
    if use_engine:
        shutil.copytree(request.getfixturevalue("canary_kb"), privacybot_home / "kb", symlinks=True)
        before, kb_before = _snapshot(privacybot_home, canaries), _kb_hashes(privacybot_home)
        _converse_engine(any_store, guard, canaries)
        changed = _kb_changes(privacybot_home, kb_before)
        assert not changed, f"the serving process wrote into the knowledge base: {changed}"
    _converse(any_store, guard, canaries, logger)
    for handler in logging.getLogger().handlers:
        handler.flush()
    stats = any_store.stats()
    assert stats["feedback"]["down"] == len(canaries)
    if use_engine:
        assert stats["feedback"]["up"] == len(canaries) and stats["messages"] == 4 * len(canaries)

    pg = request.getfixturevalue("pg_url") if any_store.backend == "postgresql" else None
    targets: dict[str, bytes] = {"log stream": stream.getvalue().encode(), "database dump": _db_dump(any_store, pg)}
    for path in sorted(privacybot_home.rglob("*")):
        if path.is_file():
            targets[str(path.relative_to(privacybot_home))] = path.read_bytes()
    captured = capfd.readouterr()
    targets["stdout"], targets["stderr"] = captured.out.encode(), captured.err.encode()
    assert "logs/privacybot.log" in targets and targets["logs/privacybot.log"]
    assert b"handling failed" in targets["logs/privacybot.log"]  # the log really was written
    if any_store.backend == "sqlite":
        assert any(name.endswith("-wal") for name in targets)  # WAL file scanned while it exists

    leaks = {}
    for name, blob in targets.items():
        for lang, category, _message, needles in canaries:
            found = _hits(blob, needles, before.get(name))
            if found:
                leaks.setdefault(name, set()).add(f"{lang}:{category}")
    assert leaks == {}, f"canary values found: {leaks}"


class _SlowEngine:
    """The real engine behind a delay longer than the API's engine timeout: the request gets its
    504 while the engine goes on and writes afterwards (the write a timed-out request leaves)."""

    def __init__(self, engine, delay_s: float):
        self._engine, self._delay_s = engine, delay_s

    def ask(self, *args, **kwargs):
        threading.Event().wait(self._delay_s)
        return self._engine.ask(*args, **kwargs)

    def __getattr__(self, name):
        return getattr(self._engine, name)


@pytest.mark.slow
def test_no_canary_from_the_http_api_the_console_or_a_timed_out_request(privacybot_home, clean_logging, capfd,  # noqa: F811
                                                                         request):
    """Every write path a user reaches: HTTP chat, HTTP stream, HTTP feedback comment, the staff
    console's chat and flag (its Python handlers, as the Gradio buttons call them) and a chat
    request that times out (504) while the engine still finishes and stores. The hint is the
    other language or absent (mixed EN/FR); then every file, log and the database are searched."""
    from fastapi.testclient import TestClient

    from bot.engine import Engine
    from bot.settings import load_settings
    from bot.store import open_safe_store
    from guards.guard import get_guard
    from tests.ui.conftest import make_sites
    from ui.console_chat import chat_turn, flag_answer
    from ui.server import create_app

    if not HAVE_ENGINE:
        pytest.skip("bot/engine.py is not built: the HTTP and console paths need the real engine")
    guard = get_guard()
    canaries = make_canaries(seed=random.SystemRandom().randint(0, 2**31))
    shutil.copytree(request.getfixturevalue("canary_kb"), privacybot_home / "kb", symlinks=True)
    before, kb_before = _snapshot(privacybot_home, canaries), _kb_hashes(privacybot_home)
    stream = io.StringIO()
    configure_logging("DEBUG", stream=stream, file=privacybot_home / "logs" / "privacybot.log")
    settings = load_settings({"PRIVACYBOT_HOME": str(privacybot_home)})
    store = open_safe_store(settings)
    engine = Engine(settings, guard=guard, store=store)
    limits = {"per_ip": {"per_minute": 6000, "burst": 3000}, "per_session": {"per_minute": 6000, "burst": 3000}}
    statuses = []
    with TestClient(create_app(settings, engine=engine, sites=make_sites(**limits), background_writes=False)) as http:
        for lang, _category, message, _ in canaries:
            chat = http.post("/api/chat", json={"message": message, "lang": OTHER[lang]})
            statuses.append(chat.status_code)
            body = chat.json()
            feedback = http.post("/api/feedback", json={
                "session_id": body["session_id"], "session_token": body["session_token"],
                "exchange_id": body["exchange_id"], "rating": "down", "comment": f"Wrong. {message}", "lang": OTHER[lang]})
            statuses.append(feedback.status_code)
            statuses.append(http.post("/api/chat/stream", json={"message": MIXED[lang] + message}).status_code)
    slow = create_app(settings, engine=_SlowEngine(engine, 0.4), sites=make_sites(engine_timeout_s=0.05, **limits),
                      background_writes=False)
    with TestClient(slow) as http:
        timed_out = [http.post("/api/chat", json={"message": MIXED[lang] + message}).status_code
                     for lang, _c, message, _n in canaries[:6]]
        threading.Event().wait(1.0)  # the engine finishes (and stores) after the 504
    assert timed_out == [504] * 6
    assert set(statuses) == {200}, statuses
    for lang, _category, message, ns in canaries:
        history, sid, _answer, status = chat_turn(engine, message, [], None, OTHER[lang])
        assert sid, status
        shown = repr([turn["content"] for turn in history if turn.get("role") == "user"])
        assert not _hits(shown.encode(), ns)  # the console shows the redacted message (answers quote the policy)
        assert flag_answer(guard, store, sid, f"Please check: {message}").startswith("Flag stored")
    store.flush()
    for handler in logging.getLogger().handlers:
        handler.flush()
    targets: dict[str, bytes] = {"log stream": stream.getvalue().encode()}
    for path in sorted(privacybot_home.rglob("*")):
        if path.is_file():
            targets[str(path.relative_to(privacybot_home))] = path.read_bytes()
    captured = capfd.readouterr()
    targets["stdout"], targets["stderr"] = captured.out.encode(), captured.err.encode()
    assert any(name.endswith((".sqlite3", ".db")) for name in targets), sorted(targets)  # the database was scanned
    changed = _kb_changes(privacybot_home, kb_before)
    assert not changed, f"the serving process wrote into the knowledge base: {changed}"
    leaks = {}
    for name, blob in targets.items():
        for lang, category, _message, ns in canaries:
            if _hits(blob, ns, before.get(name)):
                leaks.setdefault(name, set()).add(f"{lang}:{category}")
    assert leaks == {}, f"canary values found: {leaks}"
