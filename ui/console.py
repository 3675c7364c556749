"""The Gradio staff console for the DPO office: what needs a human, the stored conversations as
readable transcripts, a chat with the pipeline trace, the guard tester, the evaluation.

- `build_console(settings, engine, store, guard=None) -> gr.Blocks` (not launched);
- `mount_kwargs(settings, auth) -> dict` — what `gr.mount_gradio_app` needs (monitoring off, no
  run history, no share/footer links, no MCP, reports dir allowed, EN/FR labels);
- `mount_console(app, settings, engine, store, path="/console")` — auth + Blocks + mount.

Under `privacybot serve` and `privacybot console` alike the console sits behind
`ui.security.SecurityGate` (same-origin only, strict cookies, login back-off, headers). Labels
follow the browser language (Gradio I18n); status messages follow Accept-Language. The tab logic
lives in plain functions (ui/console_*.py) that unit tests call without a browser.
"""

from typing import Any

from bot import offline  # noqa: F401  (GRADIO_ANALYTICS_ENABLED=False before gradio is imported)
from guards.types import ENTITIES, SPECIAL_CATEGORIES
from knowledge.types import AUDIENCES
from ui import console_chat as chat
from ui import console_conversations as conv
from ui import console_eval as evaluation
from ui import console_guard as guardtab
from ui import console_transcript as transcript
from ui.console_auth import console_auth, print_password_notice
from ui.i18n import LANGS, tr, ui_catalogue

MOUNT_PATH = "/console"
DEFAULT_PORT = 7860
ATTENTION_DAYS = [1, 7, 30, 90]
AUTH_MESSAGE = "privacybot — staff console / console du personnel"


def entity_colours() -> dict[str, str]:
    return {e: guardtab.SPECIAL_COLOUR if e in SPECIAL_CATEGORIES else guardtab.OTHER_COLOUR for e in ENTITIES}


def console_i18n():
    """Gradio I18n with every `console_*` string (the browser's language picks)."""
    import gradio as gr

    table = {key: entry for key, entry in ui_catalogue().items() if key.startswith("console_")}
    return gr.I18n(**{lang: {key: entry[lang] for key, entry in table.items()} for lang in LANGS})


def request_lang(request) -> str:
    """'fr' when the browser prefers French over English (Accept-Language), else 'en'."""
    header = ""
    if request is not None:
        header = (getattr(request, "headers", None) or {}).get("accept-language", "") or ""
    for part in header.split(","):
        code = part.split(";")[0].strip().lower()[:2]
        if code in LANGS:
            return code
    return "en"


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
        "i18n": console_i18n(),
    }


def mount_console(app, settings, engine, store, *, path: str = MOUNT_PATH, guard=None, announce_url: str | None = None):
    """Mount the console on a FastAPI app with auth and the safe options. Returns the Blocks.

    Raises ConfigError in production without a password or with a weak one. In local mode
    without one, the generated one-time password is printed on stderr."""
    import gradio as gr

    auth, generated = console_auth(settings)
    if generated:
        print_password_notice(generated, announce_url, once=True)
    blocks = build_console(settings, engine, store, guard)
    gr.mount_gradio_app(app, blocks, path=path, **mount_kwargs(settings, auth))
    return blocks


def _protect(blocks, auth) -> None:
    """Fail safe: the console keeps its password and no run history even when it is mounted
    without them (an explicit `auth=` still wins)."""
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


def _get_guard():
    from guards.guard import get_guard

    return get_guard()


def attention_headers(lang: str) -> list[str]:
    return {"fr": ["date (UTC)", "site", "langue", "motif", "question (expurgée)"],
            "en": ["date (UTC)", "site", "lang", "reason", "question (redacted)"]}[lang]


def attention_rows(items: list[dict], lang: str) -> list[list]:
    return [[(i["created"] or "")[:16].replace("T", " "), i["site"], i["lang"],
             transcript.reason_labels(i["reasons"], lang), " ".join(i["question"].split())[:140]] for i in items]


def build_console(settings, engine, store, guard=None):
    """The console as a `gr.Blocks` (not launched). `guard` defaults to `get_guard()`."""
    import gradio as gr

    auth, generated = console_auth(settings)  # ConfigError in production without (or with a weak) password
    if generated:
        print_password_notice(generated, once=True)
    guard = guard if guard is not None else _get_guard()
    i18n = console_i18n()
    audiences = [("Auto", chat.AUTO)] + [(a, a) for a in AUDIENCES]

    with gr.Blocks(title="privacybot – console", analytics_enabled=False, delete_cache=(3600, 3600)) as blocks:
        gr.Markdown(i18n("console_title"))
        with gr.Tabs() as tabs:
            # ---------------------------------------------------------------- needs attention
            with gr.Tab(i18n("console_tab_attention"), id="attention"):
                gr.Markdown(i18n("console_attention_help"))
                with gr.Row():
                    a_days = gr.Dropdown(ATTENTION_DAYS, value=7, label=i18n("console_days"), scale=1)
                    a_refresh = gr.Button(i18n("console_refresh"), scale=1)
                a_status = gr.Markdown(elem_id="attention-status")
                a_table = gr.Dataframe(headers=attention_headers("en"), interactive=False, wrap=True,
                                       elem_id="attention-table")
                a_items = gr.State([])
                a_pick = gr.State(None)
                a_replay = gr.Button(i18n("console_replay"), variant="primary", elem_id="attention-replay")
                a_transcript = gr.HTML(label=i18n("console_transcript"), elem_id="attention-transcript")

            # ---------------------------------------------------------------- conversations
            with gr.Tab(i18n("console_tab_conversations"), id="conversations"):
                with gr.Row():
                    c_site = gr.Textbox(label=i18n("console_site"), placeholder="any", scale=1)
                    c_since = gr.Textbox(label=i18n("console_from"), placeholder="any", scale=1)
                    c_until = gr.Textbox(label=i18n("console_to"), placeholder="any", scale=1)
                    c_rating = gr.Dropdown(conv.RATING_CHOICES, value=conv.ANY, label=i18n("console_feedback"), scale=1)
                with gr.Row():
                    c_btn = gr.Button(i18n("console_search"), variant="primary")
                    c_export = gr.Button(i18n("console_export"))
                c_status = gr.Markdown()
                c_table = gr.Dataframe(headers=conv.SESSION_HEADERS, interactive=False)
                c_file = gr.File(label=i18n("console_export_file"), interactive=False)
                with gr.Row():
                    c_id = gr.Textbox(label=i18n("console_session_id"), scale=3)
                    c_show = gr.Button(i18n("console_show"), scale=1)
                c_detail = gr.HTML(elem_id="session-transcript")
                with gr.Row():
                    c_confirm = gr.Checkbox(label=i18n("console_erase_confirm"), value=False)
                    c_erase = gr.Button(i18n("console_erase"), variant="stop")
                c_erase_status = gr.Markdown()

            # ---------------------------------------------------------------- chat with trace
            with gr.Tab(i18n("console_tab_chat"), id="chat"):
                session = gr.State(None)
                with gr.Row():
                    lang = gr.Dropdown(chat.LANG_CHOICES, value=chat.AUTO, label=i18n("console_language"), scale=1)
                    audience = gr.Dropdown(audiences, value=chat.AUTO, label=i18n("console_audience"), scale=1)
                    new_btn = gr.Button(i18n("console_new_conversation"), scale=1)
                bot = gr.Chatbot(label=i18n("console_conversation_label"), height=520, buttons=["copy"],
                                 feedback_options=None, elem_id="console-chat")
                with gr.Row():
                    msg = gr.Textbox(placeholder=i18n("console_message_placeholder"), show_label=False, scale=5,
                                     max_lines=6, elem_id="console-message")
                    send = gr.Button(i18n("console_send"), variant="primary", scale=1, elem_id="console-send")
                chat_status = gr.Markdown(elem_id="console-chat-status")
                with gr.Accordion(i18n("console_flag_title"), open=False):
                    note = gr.Textbox(label=i18n("console_flag_note"), lines=2)
                    flag_btn = gr.Button(i18n("console_flag"), variant="stop")
                    flag_status = gr.Markdown()
                with gr.Accordion(i18n("console_raw"), open=False):
                    raw = gr.JSON()

            # ---------------------------------------------------------------- guard tester
            with gr.Tab(i18n("console_tab_guard"), id="guard"):
                g_text = gr.Textbox(label=i18n("console_guard_text"), lines=8)
                with gr.Row():
                    g_lang = gr.Dropdown(chat.LANG_CHOICES, value=chat.AUTO, label=i18n("console_language"), scale=1)
                    g_btn = gr.Button(i18n("console_inspect"), variant="primary", scale=1)
                g_status = gr.Markdown()
                g_high = gr.HighlightedText(label=i18n("console_findings"), color_map=entity_colours(),
                                            show_legend=False)
                g_red = gr.Textbox(label=i18n("console_redacted_output"), lines=4, buttons=["copy"], elem_id="guard-redacted")
                g_rows = gr.Dataframe(headers=guardtab.FINDING_HEADERS, label=i18n("console_findings_table"),
                                      interactive=False)

            # ---------------------------------------------------------------- evaluation
            with gr.Tab(i18n("console_tab_evaluation"), id="evaluation"):
                gr.Markdown(i18n("console_eval_help"))
                e_suites = gr.CheckboxGroup(evaluation.available_suites(), value=evaluation.default_suites(),
                                            label=i18n("console_suites"))
                e_btn = gr.Button(i18n("console_run"), variant="primary")
                with gr.Row():
                    e_past = gr.Dropdown(evaluation.past_reports(settings.reports_dir), value=None,
                                         label=i18n("console_past_reports"), scale=3, allow_custom_value=False)
                    e_open = gr.Button(i18n("console_open_report"), scale=1)
                e_status = gr.Markdown(elem_id="eval-status")
                e_files = gr.File(label=i18n("console_report_files"), file_count="multiple", interactive=False,
                                  elem_id="eval-files")
                e_table = gr.Dataframe(headers=evaluation.METRIC_HEADERS, label=i18n("console_metrics"),
                                       interactive=False)
                e_plots = gr.Gallery(label=i18n("console_plots"), buttons=["download", "fullscreen"], columns=2,
                                     height="auto")
                e_fail = gr.Dataframe(headers=evaluation.FAILURE_HEADERS, label=i18n("console_failures"),
                                      interactive=False, wrap=True)

        # -------------------------------------------------------------------- handlers
        def load_queue(days, request: gr.Request):
            ui_lang = request_lang(request)
            items = transcript.attention_queue(store, days=int(days or 7))
            return (gr.Dataframe(value=attention_rows(items, ui_lang), headers=attention_headers(ui_lang)), items,
                    None, "", tr("console_attention_count", ui_lang, n=len(items), days=int(days or 7)))

        def pick_item(items, evt: gr.SelectData, request: gr.Request):
            row = evt.index[0] if isinstance(evt.index, list | tuple) else evt.index
            if not items or row is None or row >= len(items):
                return None, ""
            item = items[row]
            try:
                export = store.export_session(item["session_id"])
            except Exception as exc:  # noqa: BLE001 - erased meanwhile: say so
                return None, f"<p>{getattr(exc, 'message', type(exc).__name__)}</p>"
            return item, transcript.transcript_html(export, request_lang(request), focus=item["index"])

        def replay(item, request: gr.Request):
            ui_lang = request_lang(request)
            if not item:
                return gr.Tabs(), [], None, None, tr("console_pick_row", ui_lang)
            history, _, answer_json, status = chat.chat_turn(engine, item["question"], [], None, item["lang"] or chat.AUTO,
                                                             chat.AUTO, record=False)
            return gr.Tabs(selected="chat"), history, None, answer_json, f"{tr('console_replayed', ui_lang)} {status}"

        a_refresh.click(load_queue, [a_days], [a_table, a_items, a_pick, a_transcript, a_status], api_name="attention")
        a_days.change(load_queue, [a_days], [a_table, a_items, a_pick, a_transcript, a_status],
                      api_visibility="private")
        blocks.load(load_queue, [a_days], [a_table, a_items, a_pick, a_transcript, a_status], api_visibility="private")
        a_table.select(pick_item, [a_items], [a_pick, a_transcript], api_visibility="private")
        a_replay.click(replay, [a_pick], [tabs, bot, session, raw, chat_status], api_visibility="private")

        def show(sid, request: gr.Request):
            export, status = conv.show_session(store, sid)
            return (transcript.transcript_html(export, request_lang(request)) if export else ""), status

        def pick_session(evt: gr.SelectData, request: gr.Request):
            row = getattr(evt, "row_value", None) or []
            if not row:
                return gr.skip(), gr.skip(), gr.skip()
            html_text, status = show(row[0], request)
            return row[0], html_text, status

        filters = [c_site, c_since, c_until, c_rating]
        c_btn.click(lambda *a: conv.browse(store, *a), filters, [c_table, c_status], api_name="list_sessions")
        c_export.click(lambda *a: conv.export_csv(store, *a), filters, [c_file, c_status], api_name="export_csv")
        c_table.select(pick_session, None, [c_id, c_detail, c_status], api_visibility="private")
        c_show.click(show, [c_id], [c_detail, c_status], api_name="session")
        c_erase.click(lambda sid, ok: (conv.erase_session(store, sid, ok), False), [c_id, c_confirm],
                      [c_erase_status, c_confirm], api_name="erase_session")

        def chat_submit(message, history, session_id, lang_choice, audience_choice):
            history, session_id, answer_json, status = chat.chat_turn(engine, message, history, session_id,
                                                                      lang_choice, audience_choice)
            keep = "" if answer_json is not None else (message or "")  # refused: let staff fix the text
            return history, session_id, answer_json, status, keep

        submit = {"fn": chat_submit, "inputs": [msg, bot, session, lang, audience],
                  "outputs": [bot, session, raw, chat_status, msg]}
        send.click(**submit, api_name="chat")
        msg.submit(**submit, api_visibility="private")
        new_btn.click(chat.new_conversation, None, [bot, session, raw, chat_status], api_name="new_conversation")
        flag_btn.click(lambda sid, n: (chat.flag_answer(guard, store, sid, n), ""), [session, note],
                       [flag_status, note], api_name="flag")

        def inspect(text, lang_choice):
            out = guardtab.inspect_paste(guard, text, lang_choice)
            return out["segments"], out["redacted"], out["rows"], out["status"]

        g_btn.click(inspect, [g_text, g_lang], [g_high, g_red, g_rows, g_status], api_name="inspect")

        def run_eval(suites, request: gr.Request, progress=gr.Progress()):
            out = evaluation.run_evaluation(settings, suites, progress=progress, lang=request_lang(request))
            past = gr.Dropdown(choices=evaluation.past_reports(settings.reports_dir))
            return out["rows"], out["plots"], out["failures"], out["status"], out["files"] or None, past

        def open_past(name, request: gr.Request):
            out = evaluation.open_report(settings.reports_dir, name, request_lang(request))
            return out["rows"], out["plots"], out["failures"], out["status"], out["files"] or None

        e_btn.click(run_eval, [e_suites], [e_table, e_plots, e_fail, e_status, e_files, e_past], api_name="evaluate",
                    concurrency_limit=None)
        e_open.click(open_past, [e_past], [e_table, e_plots, e_fail, e_status, e_files], api_name="open_report")

    blocks.queue(default_concurrency_limit=1)
    _protect(blocks, auth)
    return blocks
