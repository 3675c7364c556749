"""Console benchmark (run the same way each time; not a test):

    PRIVACYBOT_HOME=<home with an ingested index> .venv/bin/python -m tests.console.bench_console [--n 20]

Measures, over a fixed EN/FR question list: the engine alone (`engine.ask`) and a console chat
turn (`chat_turn`: engine + pipeline steps), so the console's own overhead is the difference;
and the Guard tab on a 50 kB paste (the bundled policy, truncated). Prints median and p95 (ms).
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from bot import offline  # noqa: F401

QUESTIONS = [
    ("How long do you keep the data of job applicants?", "en"),
    ("Who is the data protection officer?", "en"),
    ("Do you use cookies for advertising?", "en"),
    ("My email is jeanne.martin@example.org, can I delete my data?", "en"),
    ("Combien de temps gardez-vous les données des étudiants ?", "fr"),
    ("Qui reçoit mes données de candidature ?", "fr"),
    ("Je suis enceinte, qui voit mon dossier médical ?", "fr"),
    ("Utilisez-vous la vidéosurveillance ?", "fr"),
]


def _stats(samples: list[float]) -> str:
    s = sorted(samples)
    p95 = s[min(len(s) - 1, round(0.95 * (len(s) - 1)))]
    return f"median {statistics.median(s):8.1f} ms   p95 {p95:8.1f} ms   (n={len(s)})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=16, help="chat turns per measurement (cycles the questions)")
    args = parser.parse_args()

    from bot.engine import Engine
    from bot.settings import load_settings
    from guards.guard import get_guard
    from ui import console_chat, console_guard

    settings = load_settings()
    engine = Engine(settings, guard=get_guard())  # no store: measure answering, not SQLite
    engine.warm_up()
    items = [QUESTIONS[i % len(QUESTIONS)] for i in range(args.n)]

    ask, turn = [], []
    for question, lang in items:
        t0 = time.perf_counter()
        engine.ask(question, lang=lang)
        ask.append((time.perf_counter() - t0) * 1000)
        t0 = time.perf_counter()
        console_chat.chat_turn(engine, question, [], None, lang, "auto")
        turn.append((time.perf_counter() - t0) * 1000)

    policy = (Path(__file__).resolve().parents[2] / "knowledge" / "sources" / "omnes.txt").read_text(encoding="utf-8")
    paste = []
    for _ in range(3):
        t0 = time.perf_counter()
        out = console_guard.inspect_paste(engine.guard, policy, "en")
        paste.append((time.perf_counter() - t0) * 1000)
    assert "only the first 50,000 bytes" in out["status"]

    print(f"engine.ask              {_stats(ask)}")
    print(f"console chat_turn       {_stats(turn)}")
    overhead = [b - a for a, b in zip(ask, turn, strict=True)]
    print(f"console overhead        median {statistics.median(overhead):8.1f} ms")
    print(f"guard tab, 50 kB paste  {_stats(paste)}")


if __name__ == "__main__":
    main()
