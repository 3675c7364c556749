"""The Gradio staff console: try the bot, see why it answered, inspect the guard, run the
evaluation, browse and erase stored (redacted) conversations.

Entry points:
- `build_console(settings, engine, store, guard=None) -> gr.Blocks` (mounted at /console by
  `privacybot serve`, launched alone by `privacybot console`);
- `console_auth(settings) -> (auth_callable, generated_password_or_None)`;
- `mount_kwargs(settings, auth) -> dict` — the keyword arguments `gr.mount_gradio_app` needs
  (monitoring off, no run history, no share/footer links, no MCP, reports dir allowed);
- `mount_console(app, settings, engine, store, path="/console")` — all of the above in one call;
- `launch_console(settings, host, port, ...)` used by the CLI.

The tab logic lives in plain functions (ui/console_chat.py, console_guard.py,
console_conversations.py, console_eval.py) so unit tests call them without a browser.
"""

from __future__ import annotations

import secrets
import sys
import threading
import time
from functools import partial
from typing import Any

from bot import offline  # noqa: F401  (GRADIO_ANALYTICS_ENABLED=False before gradio is imported)
from bot.errors import ConfigError
from guards.types import SPECIAL_CATEGORIES
from knowledge.types import AUDIENCES
from ui import console_chat as chat
from ui import console_conversations as conv
from ui import console_eval as evaluation
from ui import console_guard as guardtab

MOUNT_PATH = "/console"
DEFAULT_PORT = 7860
MAX_FAILED_LOGINS = 10  # per FAILED_LOGIN_WINDOW_S, all users together; then every login is refused
FAILED_LOGIN_WINDOW_S = 60.0

_OTHER_ENTITIES = (
    "PERSON", "EMAIL_ADDRESS", "PHONE_NUMBER", "IBAN_CODE", "CREDIT_CARD", "IP_ADDRESS", "LOCATION",
    "DATE_TIME", "FR_NIR", "FR_INE", "STREET_ADDRESS",
)
ENTITY_COLOURS = {e: guardtab.OTHER_COLOUR for e in _OTHER_ENTITIES} | {
    e: guardtab.SPECIAL_COLOUR for e in SPECIAL_CATEGORIES
}

# ---------------------------------------------------------------- authentication

_generated_password: str | None = None
_generated_lock = threading.Lock()


class PasswordCheck:
    """Gradio `auth` callable: any user name, the staff password; throttles guessing."""

    def __init__(self, password: str):
        self._password = password.encode("utf-8")
        self._failures: list[float] = []
        self._lock = threading.Lock()

    def __call__(self, username: str, password: str) -> bool:
        now = time.monotonic()
        with self._lock:
            self._failures = [t for t in self._failures if now - t < FAILED_LOGIN_WINDOW_S]
            if len(self._failures) >= MAX_FAILED_LOGINS:
                return False
            ok = bool((username or "").strip()) and secrets.compare_digest(
                (password or "").encode("utf-8"), self._password
            )
            if not ok:
                self._failures.append(now)
            return ok

    def __repr__(self) -> str:  # never show the password
        return "PasswordCheck(***)"


def console_auth(settings) -> tuple[PasswordCheck, str | None]:
    """The console's auth callable, and the generated one-time password if one was made.

    production without `console_password` -> ConfigError; local without one -> a random
    password (one per process, so `serve` and `console` print and accept the same one). The
    caller prints the returned password with `print_password_notice` (stderr only).
    """
    password = settings.console_password
    if password:
        return PasswordCheck(password), None
    if settings.mode == "production":
        raise ConfigError(
            "The staff console needs a password in production mode. Set PRIVACYBOT_CONSOLE_PASSWORD "
            "(or console_password in the PRIVACYBOT_CONFIG file) to a long random secret."
        )
    global _generated_password
    with _generated_lock:
        if _generated_password is None:
            _generated_password = secrets.token_urlsafe(18)
        generated = _generated_password
    return PasswordCheck(generated), generated


_announced: set[str] = set()


def print_password_notice(password: str, url: str | None = None, stream=None, *, once: bool = False) -> None:
    """Print the one-time password on stderr (and nowhere else: not in a log).

    once=True: print only if this password was not printed yet by this process."""
    if once and password in _announced:
        return
    _announced.add(password)
    stream = stream or sys.stderr
    where = f" at {url}" if url else ""
    bar = "=" * 72
    stream.write(
        f"\n{bar}\n  Staff console{where}\n  user: any name (e.g. staff)   one-time password: {password}\n"
        f"  (generated because PRIVACYBOT_CONSOLE_PASSWORD is not set; valid until this process stops)\n{bar}\n\n"
    )
    stream.flush()


AUTH_MESSAGE = "privacybot staff console — user: any name, password: the staff console password."


def mount_kwargs(settings, auth) -> dict[str, Any]:
    """Keyword arguments for `gr.mount_gradio_app(app, blocks, path="/console", **kwargs)`."""
    return {
        "auth": auth,
        "auth_message": AUTH_MESSAGE,
        "enable_monitoring": False,
        "run_history": False,  # otherwise inputs are saved in the browser's storage
        "footer_links": [],
        "show_error": False,
        "mcp_server": False,
        "ssr_mode": False,
        "pwa": False,
        "allowed_paths": [str(settings.reports_dir)],
    }


def mount_console(app, settings, engine, store, *, path: str = MOUNT_PATH, guard=None, announce_url: str | None = None):
    """Mount the console on a FastAPI app with auth and the safe options. Returns the Blocks.

    Raises ConfigError in production without a password. In local mode without one, the
    generated one-time password is printed on stderr (with `announce_url` if given)."""
    import gradio as gr

    auth, generated = console_auth(settings)
    if generated:
        print_password_notice(generated, announce_url, once=True)
    blocks = build_console(settings, engine, store, guard)
    gr.mount_gradio_app(app, blocks, path=path, **mount_kwargs(settings, auth))
    return blocks


# ---------------------------------------------------------------- Blocks


def _protect(blocks, auth) -> None:
    """Fail safe: the console keeps its password and no run history even when it is mounted or
    launched without them (`gr.mount_gradio_app(app, blocks, path=...)` with no `auth` would
    otherwise serve stored conversations to anyone, and run history would keep pasted text in
    the browser). An explicit `auth=` still wins."""
    base = type(blocks)

    class ProtectedBlocks(base):
        @property
        def auth(self):
            return self.__dict__.get("_pb_auth") or self.__dict__.get("_pb_default_auth")

        @auth.setter
        def auth(self, value):
            self.__dict__["_pb_auth"] = value

        @property
        def run_history(self):
            return False

        @run_history.setter
        def run_history(self, value):
            pass

    ProtectedBlocks.__name__ = ProtectedBlocks.__qualname__ = base.__name__
    blocks.__dict__.pop("auth", None)
    blocks.__dict__.pop("run_history", None)
    blocks.__class__ = ProtectedBlocks
    blocks.__dict__["_pb_default_auth"] = auth


def _chat_submit(engine, message, history, session_id, lang, audience):
    history, session_id, answer_json, status = chat.chat_turn(engine, message, history, session_id, lang, audience)
    keep = "" if answer_json is not None else (message or "")  # refused: let staff fix the text
    return history, session_id, answer_json, status, keep


def _guard_inspect(guard, text, lang):
    out = guardtab.inspect_paste(guard, text, lang)
    return out["segments"], out["redacted"], out["rows"], out["status"]


def _get_guard():
    from guards.guard import get_guard

    return get_guard()


def build_console(settings, engine, store, guard=None):
    """The console as a `gr.Blocks` (not launched). `guard` defaults to `get_guard()`."""
    import gradio as gr

    auth, generated = console_auth(settings)  # ConfigError in production without a password
    if generated:
        print_password_notice(generated, once=True)
    guard = guard if guard is not None else _get_guard()
    audiences = [("Auto-detect", chat.AUTO)] + [(a, a) for a in AUDIENCES]

    with gr.Blocks(title="privacybot staff console", analytics_enabled=False, delete_cache=(3600, 3600)) as blocks:
        gr.Markdown(
            "## privacybot — staff console\n"
            "Try the assistant, see why it answered, check the guard. Everything shown here is the "
            "guard's redacted text; nothing you paste in the Guard tab is stored."
        )
        with gr.Tab("Chat", id="chat"):
            session = gr.State(None)
            with gr.Row():
                lang = gr.Dropdown(chat.LANG_CHOICES, value=chat.AUTO, label="Language", scale=1)
                audience = gr.Dropdown(audiences, value=chat.AUTO, label="Audience", scale=1)
                new_btn = gr.Button("New conversation", scale=1)
            bot = gr.Chatbot(
                label="Conversation (your messages are shown redacted)",
                height=520,
                buttons=["copy"],
                feedback_options=None,
                elem_id="console-chat",
            )
            with gr.Row():
                msg = gr.Textbox(
                    placeholder="Ask what a visitor would ask… (English or French)",
                    show_label=False,
                    scale=5,
                    max_lines=6,
                    elem_id="console-message",
                )
                send = gr.Button("Send", variant="primary", scale=1, elem_id="console-send")
            chat_status = gr.Markdown(elem_id="console-chat-status")
            with gr.Accordion("Flag the last answer", open=False):
                note = gr.Textbox(label="Note for the team (passed through the guard before it is stored)", lines=2)
                flag_btn = gr.Button("Flag", variant="stop")
                flag_status = gr.Markdown()
            with gr.Accordion("Raw Answer JSON", open=False):
                raw = gr.JSON(label="Answer (with trace)")

            submit_args = {
                "fn": partial(_chat_submit, engine),
                "inputs": [msg, bot, session, lang, audience],
                "outputs": [bot, session, raw, chat_status, msg],
            }
            send.click(**submit_args, api_name="chat")
            msg.submit(**submit_args, api_visibility="private")
            new_btn.click(
                chat.new_conversation, None, [bot, session, raw, chat_status], api_name="new_conversation"
            )
            flag_btn.click(
                lambda sid, n: (chat.flag_answer(guard, store, sid, n), ""),
                [session, note],
                [flag_status, note],
                api_name="flag",
            )

        with gr.Tab("Guard", id="guard"):
            with gr.Row():
                g_text = gr.Textbox(
                    label=f"Text to inspect (up to {guardtab.MAX_PASTE_BYTES:,} bytes; never stored)", lines=8
                )
            with gr.Row():
                g_lang = gr.Dropdown(chat.LANG_CHOICES, value=chat.AUTO, label="Language", scale=1)
                g_btn = gr.Button("Inspect", variant="primary", scale=1)
            g_status = gr.Markdown()
            g_high = gr.HighlightedText(label="Findings", color_map=ENTITY_COLOURS, show_legend=False)
            g_red = gr.Textbox(label="Redacted output", lines=4, buttons=["copy"])
            g_rows = gr.Dataframe(headers=guardtab.FINDING_HEADERS, label="Findings (offsets into the text above)",
                                  interactive=False)
            g_btn.click(
                partial(_guard_inspect, guard), [g_text, g_lang], [g_high, g_red, g_rows, g_status], api_name="inspect"
            )

        with gr.Tab("Evaluation", id="evaluation"):
            gr.Markdown("Runs the dev evaluation suites on this machine (one run at a time).")
            e_suites = gr.CheckboxGroup(
                evaluation.available_suites(), value=evaluation.default_suites(), label="Suites"
            )
            e_btn = gr.Button("Run evaluation", variant="primary")
            e_status = gr.Markdown()
            e_table = gr.Dataframe(headers=evaluation.METRIC_HEADERS, label="Metrics", interactive=False)
            e_plots = gr.Gallery(label="Plots", buttons=["download", "fullscreen"], columns=2, height="auto")
            e_fail = gr.Dataframe(headers=evaluation.FAILURE_HEADERS, label="Worst failures (redacted)",
                                  interactive=False, wrap=True)

            def _run(suites, progress=gr.Progress()):
                out = evaluation.run_evaluation(settings, suites, progress=progress, engine=engine, guard=guard)
                return out["rows"], out["plots"], out["failures"], out["status"]

            e_btn.click(
                _run, [e_suites], [e_table, e_plots, e_fail, e_status], api_name="evaluate", concurrency_limit=None
            )

        with gr.Tab("Conversations", id="conversations"):
            with gr.Row():
                c_site = gr.Textbox(label="Site", placeholder="any", scale=1)
                c_since = gr.Textbox(label="From (YYYY-MM-DD)", placeholder="any", scale=1)
                c_until = gr.Textbox(label="To (YYYY-MM-DD, inclusive)", placeholder="any", scale=1)
                c_rating = gr.Dropdown(conv.RATING_CHOICES, value=conv.ANY, label="Feedback", scale=1)
            with gr.Row():
                c_btn = gr.Button("Search", variant="primary")
                c_export = gr.Button("Export CSV")
            c_status = gr.Markdown()
            c_table = gr.Dataframe(headers=conv.SESSION_HEADERS, label="Sessions", interactive=False)
            c_file = gr.File(label="CSV export (redacted content only)", interactive=False)
            with gr.Row():
                c_id = gr.Textbox(label="Session id", scale=3)
                c_show = gr.Button("Show", scale=1)
            c_detail = gr.JSON(label="Session (redacted)")
            with gr.Row():
                c_confirm = gr.Checkbox(label="I want to erase this session permanently", value=False)
                c_erase = gr.Button("Erase session", variant="stop")
            c_erase_status = gr.Markdown()

            filters = [c_site, c_since, c_until, c_rating]
            c_btn.click(
                lambda *a: conv.browse(store, *a), filters, [c_table, c_status], api_name="list_sessions"
            )
            c_export.click(
                lambda *a: conv.export_csv(store, *a), filters, [c_file, c_status], api_name="export_csv"
            )
            def _pick(evt):
                row = getattr(evt, "row_value", None) or []
                return row[0] if row else gr.skip()

            _pick.__annotations__ = {"evt": gr.SelectData}  # real class: this module uses lazy annotations

            c_table.select(_pick, None, [c_id], api_visibility="private")
            c_show.click(lambda sid: conv.show_session(store, sid), [c_id], [c_detail, c_status], api_name="session")
            c_erase.click(
                lambda sid, ok: (conv.erase_session(store, sid, ok), False),
                [c_id, c_confirm],
                [c_erase_status, c_confirm],
                api_name="erase_session",
            )

    blocks.queue(default_concurrency_limit=1)
    _protect(blocks, auth)
    return blocks


def launch_console(settings, *, host: str, port: int, engine=None, store=None, guard=None,
                   block: bool = True, quiet: bool = False):
    """Start the console alone (what `privacybot console` runs). Returns the Blocks."""
    auth, generated = console_auth(settings)
    if engine is None:
        from bot.engine import get_engine

        engine = get_engine(settings)
    if store is None:
        store = getattr(engine, "store", None)  # same database: flags land on the engine's sessions
    if store is None:
        from bot.store import open_store

        store = open_store(settings)
    url = f"http://{'127.0.0.1' if host in ('0.0.0.0', '::') else host}:{port}/"
    if generated:
        print_password_notice(generated, url, once=True)
    blocks = build_console(settings, engine, store, guard)
    kwargs = mount_kwargs(settings, auth)
    kwargs.pop("mcp_server")
    kwargs.pop("ssr_mode")
    if not generated and not quiet:
        sys.stderr.write(f"Staff console on {url} (password: PRIVACYBOT_CONSOLE_PASSWORD). Ctrl-C to stop.\n")
    blocks.launch(
        server_name=host,
        server_port=port,
        share=False,
        inbrowser=False,
        prevent_thread_lock=not block,
        quiet=True,  # our own URL line above; Gradio's mentions share links
        mcp_server=False,
        ssr_mode=False,
        **kwargs,
    )
    return blocks
