/* privacybot chat widget: plain JavaScript, no build step.
 *
 *   <script src="https://bot.example/widget.js" data-site="ece" data-lang="fr" defer></script>
 *
 * Adds <privacybot-widget> to the page: a launcher button that opens a chat panel inside a
 * shadow DOM (the page's CSS cannot reach it; it adds no global styles). Strings, language and
 * colours come from GET /api/config; answers stream from POST /api/chat/stream (fetch +
 * ReadableStream, since EventSource cannot POST). The session id lives in sessionStorage.
 */
(function () {
  "use strict";
  if (window.customElements === undefined || window.customElements.get("privacybot-widget")) return;

  var script = document.currentScript;
  var DEFAULT_API = script && script.src ? new URL(script.src, location.href).origin : location.origin;
  var SVG_NS = "http://www.w3.org/2000/svg";
  var ICONS = {
    chat: "M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2z",
    close: "M6 6l12 12M18 6L6 18",
    trash: "M4 7h16M9 7V4h6v3M6 7l1 13h10l1-13M10 11v6M14 11v6",
    up: "M7 11v9H4v-9h3zm0 0l4-8a2 2 0 0 1 2 2v4h5a2 2 0 0 1 2 2.3l-1.2 7A2 2 0 0 1 16.8 20H7",
    down: "M17 13V4h3v9h-3zm0 0l-4 8a2 2 0 0 1-2-2v-4H6a2 2 0 0 1-2-2.3l1.2-7A2 2 0 0 1 7.2 4H17",
  };

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    if (attrs) {
      Object.keys(attrs).forEach(function (k) {
        var v = attrs[k];
        if (v === null || v === undefined || v === false) return;
        if (k === "text") node.textContent = v;
        else if (k === "className") node.className = v;
        else if (k.slice(0, 2) === "on") node.addEventListener(k.slice(2), v);
        else node.setAttribute(k, v === true ? "" : v);
      });
    }
    (children || []).forEach(function (c) {
      if (c) node.appendChild(typeof c === "string" ? document.createTextNode(c) : c);
    });
    return node;
  }

  function icon(name) {
    var svg = document.createElementNS(SVG_NS, "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("focusable", "false");
    svg.setAttribute("class", "pb-svg");
    var path = document.createElementNS(SVG_NS, "path");
    path.setAttribute("d", ICONS[name]);
    svg.appendChild(path);
    return svg;
  }

  function fill(template, values) {
    return String(template || "").replace(/\{(\w+)\}/g, function (m, k) {
      return values && values[k] !== undefined ? String(values[k]) : m;
    });
  }

  /* Text with e-mail addresses and https links made clickable, built as DOM nodes (no innerHTML). */
  function richText(text) {
    var frag = document.createDocumentFragment();
    var re = /([A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+|https?:\/\/[^\s<>()]+[^\s<>().,;:!?])/g;
    var last = 0;
    var m;
    while ((m = re.exec(text)) !== null) {
      if (m.index > last) frag.appendChild(document.createTextNode(text.slice(last, m.index)));
      var href = m[0].indexOf("@") > 0 && m[0].indexOf("://") < 0 ? "mailto:" + m[0] : m[0];
      frag.appendChild(el("a", { href: href, target: "_blank", rel: "noopener noreferrer", text: m[0] }));
      last = m.index + m[0].length;
    }
    if (last < text.length) frag.appendChild(document.createTextNode(text.slice(last)));
    return frag;
  }

  /* Read a text/event-stream response body and call onEvent(name, data) per event. */
  async function readSSE(response, onEvent) {
    var reader = response.body.getReader();
    var decoder = new TextDecoder();
    var buffer = "";
    function dispatch(raw) {
      var name = "message";
      var data = [];
      raw.split("\n").forEach(function (line) {
        if (line.indexOf("event:") === 0) name = line.slice(6).trim();
        else if (line.indexOf("data:") === 0) data.push(line.slice(5).replace(/^ /, ""));
      });
      if (!data.length) return;
      var parsed;
      try {
        parsed = JSON.parse(data.join("\n"));
      } catch (e) {
        return;
      }
      onEvent(name, parsed);
    }
    for (;;) {
      var chunk = await reader.read();
      if (chunk.done) break;
      buffer += decoder.decode(chunk.value, { stream: true }).replace(/\r\n?/g, "\n");
      var idx;
      while ((idx = buffer.indexOf("\n\n")) >= 0) {
        dispatch(buffer.slice(0, idx));
        buffer = buffer.slice(idx + 2);
      }
    }
    if (buffer.trim()) dispatch(buffer);
  }

  function ApiError(status, code, message, retryAfter) {
    this.status = status;
    this.code = code;
    this.message = message;
    this.retryAfter = retryAfter;
  }

  async function apiError(response) {
    var body = null;
    try {
      body = await response.json();
    } catch (e) {
      body = null;
    }
    var err = (body && body.error) || {};
    return new ApiError(response.status, err.code || "http_" + response.status, err.message || "",
      response.headers.get("Retry-After"));
  }

  class PrivacybotWidget extends HTMLElement {
    connectedCallback() {
      if (this.shadowRoot) return;
      this.api = (this.getAttribute("api") || DEFAULT_API).replace(/\/$/, "");
      this.site = this.getAttribute("site") || "";
      var lang = (this.getAttribute("lang") || document.documentElement.lang || "").slice(0, 2).toLowerCase();
      this.lang = lang === "en" || lang === "fr" ? lang : null;
      this.storeKey = "privacybot:" + (this.site || "default");
      this.busy = false;
      this.root = this.attachShadow({ mode: "open" });
      this.loadConfig();
    }

    /* ---------- storage (this tab only) ---------- */
    get sessionId() {
      try {
        return sessionStorage.getItem(this.storeKey + ":session");
      } catch (e) {
        return this._sid || null;
      }
    }
    set sessionId(value) {
      this._sid = value;
      try {
        if (value) sessionStorage.setItem(this.storeKey + ":session", value);
        else sessionStorage.removeItem(this.storeKey + ":session");
      } catch (e) { /* storage disabled: keep it in memory */ }
    }
    loadHistory() {
      try {
        return JSON.parse(sessionStorage.getItem(this.storeKey + ":history") || "[]");
      } catch (e) {
        return [];
      }
    }
    saveHistory(history) {
      try {
        if (history.length) sessionStorage.setItem(this.storeKey + ":history", JSON.stringify(history.slice(-40)));
        else sessionStorage.removeItem(this.storeKey + ":history");
      } catch (e) { /* ignore */ }
    }

    async loadConfig() {
      var params = new URLSearchParams();
      if (this.site) params.set("site", this.site);
      if (this.lang) params.set("lang", this.lang);
      try {
        var res = await fetch(this.api + "/api/config?" + params.toString(), { credentials: "omit" });
        if (!res.ok) throw await apiError(res);
        this.config = await res.json();
      } catch (e) {
        if (window.console) console.warn("privacybot: widget disabled (" + (e.code || "unreachable") + ")");
        return;
      }
      this.s = this.config.strings;
      this.render();
    }

    /* ---------- layout ---------- */
    render() {
      var s = this.s;
      var theme = this.config.theme;
      var root = this.root;
      var css = el("link", { rel: "stylesheet", href: this.api + "/widget.css" });
      var wrapper = el("div", { className: "pb-root", lang: this.config.lang, hidden: true });
      css.addEventListener("load", function () { wrapper.hidden = false; });
      css.addEventListener("error", function () { wrapper.hidden = false; });
      ["primary", "on_primary", "accent", "surface", "text"].forEach(function (k) {
        wrapper.style.setProperty("--pb-" + k.replace("_", "-"), theme[k]);
      });

      this.launcher = el("button", {
        type: "button", className: "pb-launcher", "aria-expanded": "false", "aria-controls": "pb-panel",
        "aria-haspopup": "dialog", onclick: this.toggle.bind(this),
      }, [icon("chat"), el("span", { className: "pb-launcher-label", text: s.launcher })]);

      this.closeBtn = el("button", {
        type: "button", className: "pb-icon", "aria-label": s.close, title: s.close, onclick: this.close.bind(this),
      }, [icon("close")]);
      this.deleteBtn = el("button", {
        type: "button", className: "pb-icon pb-delete", "aria-label": s.delete, title: s.delete,
        onclick: this.deleteConversation.bind(this),
      }, [icon("trash")]);

      this.intro = el("div", { className: "pb-intro" }, [
        el("p", { className: "pb-disclosure", text: s.disclosure }),
        el("p", { className: "pb-sensitive", text: s.sensitive }),
      ]);
      this.log = el("div", {
        className: "pb-log", role: "log", "aria-live": "polite", "aria-relevant": "additions",
        "aria-label": s.dialog_label, tabindex: "0",
      }, [this.intro]);
      this.status = el("p", { className: "pb-status", role: "status", "aria-live": "polite" });

      this.input = el("textarea", {
        id: "pb-input", className: "pb-input", rows: "2", maxlength: String(this.config.max_message_chars),
        placeholder: s.input_placeholder, autocomplete: "off", enterkeyhint: "send",
      });
      this.input.addEventListener("keydown", this.onInputKey.bind(this));
      this.sendBtn = el("button", { type: "submit", className: "pb-send" }, [s.send]);
      this.form = el("form", { className: "pb-form", novalidate: true }, [
        el("label", { for: "pb-input", className: "pb-label", text: s.input_label }),
        el("div", { className: "pb-row" }, [this.input, this.sendBtn]),
      ]);
      this.form.addEventListener("submit", this.onSubmit.bind(this));

      this.panel = el("section", {
        id: "pb-panel", className: "pb-panel", role: "dialog", "aria-modal": "false",
        "aria-labelledby": "pb-title", "aria-describedby": "pb-subtitle", hidden: true,
      }, [
        el("header", { className: "pb-header" }, [
          el("div", { className: "pb-heading" }, [
            el("h2", { id: "pb-title", className: "pb-title", text: s.title }),
            el("p", { id: "pb-subtitle", className: "pb-subtitle", text: s.subtitle }),
          ]),
          this.deleteBtn,
          this.closeBtn,
        ]),
        this.log,
        this.status,
        this.form,
      ]);
      this.panel.addEventListener("keydown", this.onPanelKey.bind(this));

      wrapper.appendChild(this.panel);
      wrapper.appendChild(this.launcher);
      root.appendChild(css);
      root.appendChild(wrapper);
      this.wrapper = wrapper;
      this.history = this.loadHistory();
      var self = this;
      this.history.forEach(function (item) { self.renderSaved(item); });
      if (this.getAttribute("open") !== null) this.open();
    }

    /* ---------- open / close ---------- */
    toggle() {
      if (this.panel.hidden) this.open();
      else this.close();
    }
    open() {
      this.panel.hidden = false;
      this.wrapper.classList.add("pb-open");
      this.launcher.setAttribute("aria-expanded", "true");
      this.input.focus();
      this.scrollToEnd();
    }
    close() {
      this.panel.hidden = true;
      this.wrapper.classList.remove("pb-open");
      this.launcher.setAttribute("aria-expanded", "false");
      this.launcher.focus();
    }
    onPanelKey(event) {
      if (event.key === "Escape") {
        event.preventDefault();
        event.stopPropagation();
        this.close();
      }
    }
    onInputKey(event) {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        this.form.requestSubmit ? this.form.requestSubmit() : this.onSubmit(event);
      }
    }
    scrollToEnd() {
      this.log.scrollTop = this.log.scrollHeight;
    }
    say(text) {
      this.status.textContent = "";
      var status = this.status;
      window.setTimeout(function () { status.textContent = text || ""; }, 30);
    }

    /* ---------- messages ---------- */
    addUser(text) {
      var body = el("p", { className: "pb-text", text: text });
      var node = el("div", { className: "pb-msg pb-user" }, [
        el("span", { className: "pb-sr", text: this.s.you + ": " }), body,
      ]);
      this.log.appendChild(node);
      this.scrollToEnd();
      return { node: node, body: body };
    }
    showGuardNotice(userMsg, guard) {
      if (!guard || !guard.notice) return;
      if (guard.redacted_message) userMsg.body.textContent = guard.redacted_message;
      userMsg.node.appendChild(el("p", { className: "pb-notice", role: "note" }, [
        el("strong", { text: this.s.guard_removed + " — " }), guard.notice,
      ]));
    }
    addBot() {
      var text = el("p", { className: "pb-text" });
      var node = el("article", { className: "pb-msg pb-bot", "aria-busy": "true" }, [
        el("span", { className: "pb-sr", text: this.s.bot + ": " }),
        el("p", { className: "pb-thinking", text: this.s.thinking }),
        text,
      ]);
      this.log.appendChild(node);
      this.scrollToEnd();
      return { node: node, text: text, raw: "" };
    }
    renderCitations(node, citations) {
      /* One expandable quote block per policy section (several quotes of a section together). */
      var s = this.s;
      var groups = [];
      var byId = {};
      (citations || []).forEach(function (c) {
        if (!byId[c.section_id]) {
          byId[c.section_id] = { heading: c.heading, section_id: c.section_id, quotes: [] };
          groups.push(byId[c.section_id]);
        }
        if (byId[c.section_id].quotes.indexOf(c.quote) < 0) byId[c.section_id].quotes.push(c.quote);
      });
      groups.forEach(function (g) {
        var details = el("details", { className: "pb-cite" }, [
          el("summary", {}, [fill(s.sources, { heading: g.heading })]),
        ]);
        g.quotes.forEach(function (q) { details.appendChild(el("blockquote", { className: "pb-quote", text: q })); });
        details.appendChild(el("p", { className: "pb-section", text: "§ " + g.section_id }));
        node.appendChild(details);
      });
    }
    renderQuickReplies(node, replies) {
      if (!replies || !replies.length) return;
      var self = this;
      var group = el("div", { className: "pb-quick", role: "group" });
      replies.forEach(function (qr) {
        group.appendChild(el("button", {
          type: "button", className: "pb-chip",
          onclick: function () {
            group.querySelectorAll("button").forEach(function (b) { b.disabled = true; });
            self.send(qr.value || qr.label, { label: qr.label, audience: qr.value });
          },
        }, [qr.label]));
      });
      node.appendChild(group);
    }
    renderFeedback(node) {
      var self = this;
      var s = this.s;
      var bar = el("div", { className: "pb-feedback" });
      var thanks = el("span", { className: "pb-thanks" });
      function rate(rating) {
        return function (event) {
          bar.querySelectorAll(".pb-thumb").forEach(function (b) {
            b.setAttribute("aria-pressed", String(b === event.currentTarget));
            b.disabled = true;
          });
          self.sendFeedback(rating, null).then(function () { thanks.textContent = s.feedback_thanks; });
          if (rating === "down") self.askComment(node);
        };
      }
      bar.appendChild(el("button", { type: "button", className: "pb-thumb", "aria-pressed": "false",
        "aria-label": s.helpful, title: s.helpful, onclick: rate("up") }, [icon("up")]));
      bar.appendChild(el("button", { type: "button", className: "pb-thumb", "aria-pressed": "false",
        "aria-label": s.not_helpful, title: s.not_helpful, onclick: rate("down") }, [icon("down")]));
      bar.appendChild(thanks);
      node.appendChild(bar);
    }
    askComment(node) {
      var self = this;
      var id = "pb-comment-" + Math.random().toString(36).slice(2);
      var box = el("textarea", { id: id, className: "pb-input pb-comment", rows: "2", maxlength: "1000" });
      var form = el("form", { className: "pb-comment-form" }, [
        el("label", { for: id, className: "pb-small", text: this.s.feedback_comment }),
        box,
        el("button", { type: "submit", className: "pb-send pb-secondary" }, [this.s.feedback_send]),
      ]);
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        if (!box.value.trim()) return;
        self.sendFeedback("down", box.value).then(function (res) {
          form.replaceWith(el("p", { className: "pb-small", text: self.s.feedback_thanks + (res && res.notice ? " " + res.notice : "") }));
        });
      });
      node.appendChild(form);
      box.focus();
    }

    renderSaved(item) {
      if (item.role === "user") {
        var u = this.addUser(item.text);
        this.showGuardNotice(u, item.guard);
      } else {
        var b = this.addBot();
        this.finishBot(b, item.answer, false);
      }
    }
    finishBot(bot, answer, live) {
      var thinking = bot.node.querySelector(".pb-thinking");
      if (thinking) thinking.remove();
      bot.text.textContent = "";
      bot.text.appendChild(richText(answer.text || ""));
      bot.node.setAttribute("data-kind", answer.kind || "answer");
      this.renderCitations(bot.node, answer.citations);
      if (live) this.renderQuickReplies(bot.node, answer.quick_replies);
      if (answer.kind !== "greeting") this.renderFeedback(bot.node);
      bot.node.removeAttribute("aria-busy");
      this.scrollToEnd();
    }
    failBot(bot, message) {
      var thinking = bot.node.querySelector(".pb-thinking");
      if (thinking) thinking.remove();
      bot.text.textContent = message;
      bot.node.classList.add("pb-error");
      bot.node.removeAttribute("aria-busy");
    }
    errorText(err) {
      var s = this.s;
      if (!(err instanceof ApiError)) return s.error_offline;
      if (err.code === "rate_limited") return fill(s.error_rate_limited, { seconds: err.retryAfter || 10 });
      if (err.code === "timeout") return s.error_timeout;
      if (err.code === "too_large" || (err.code === "bad_request" && /limit|long/i.test(err.message))) {
        return fill(s.error_too_long, { max: this.config.max_message_chars });
      }
      return s.error_generic;
    }

    /* ---------- actions ---------- */
    onSubmit(event) {
      if (event) event.preventDefault();
      var text = this.input.value.trim();
      if (!text || this.busy) return;
      if (text.length > this.config.max_message_chars) {
        this.say(fill(this.s.error_too_long, { max: this.config.max_message_chars }));
        return;
      }
      this.input.value = "";
      this.send(text, {});
    }

    async send(message, opts) {
      this.busy = true;
      this.sendBtn.disabled = true;
      this.say("");
      var user = this.addUser(opts.label || message);
      var bot = this.addBot();
      var payload = { message: message, site: this.site || null };
      if (opts.audience && /^[a-z_]{3,40}$/.test(opts.audience)) payload.audience = opts.audience;
      if (this.sessionId) payload.session_id = this.sessionId;
      var answer = { text: "", citations: [], quick_replies: [] };
      var self = this;
      var failed = null;
      try {
        var res = await fetch(this.api + "/api/chat/stream", {
          method: "POST", credentials: "omit",
          headers: { "Content-Type": "application/json", Accept: "text/event-stream" },
          body: JSON.stringify(payload),
        });
        if (!res.ok) throw await apiError(res);
        await readSSE(res, function (name, data) {
          if (name === "meta") {
            self.sessionId = data.session_id;
            answer.kind = data.kind;
            answer.quick_replies = data.quick_replies || [];
            answer.guard = data.guard;
            self.showGuardNotice(user, data.guard);
            var thinking = bot.node.querySelector(".pb-thinking");
            if (thinking) thinking.remove();
          } else if (name === "token") {
            answer.text += data.text;
            bot.text.textContent = answer.text;
          } else if (name === "sources") {
            answer.citations = data.citations || [];
          } else if (name === "error") {
            failed = new ApiError(data.status || 500, data.code, data.message, null);
          }
        });
      } catch (err) {
        failed = err;
      }
      if (failed || !answer.kind) {
        this.failBot(bot, this.errorText(failed));
      } else {
        this.finishBot(bot, answer, true);
        var userText = answer.guard && answer.guard.notice ? answer.guard.redacted_message : (opts.label || message);
        this.history.push({ role: "user", text: userText, guard: answer.guard && answer.guard.notice ? answer.guard : null });
        this.history.push({ role: "bot", answer: { text: answer.text, kind: answer.kind, citations: answer.citations } });
        this.saveHistory(this.history);
      }
      this.busy = false;
      this.sendBtn.disabled = false;
      this.input.focus();
    }

    async sendFeedback(rating, comment) {
      if (!this.sessionId) return null;
      try {
        var res = await fetch(this.api + "/api/feedback", {
          method: "POST", credentials: "omit", headers: { "Content-Type": "application/json" },
          body: JSON.stringify({ session_id: this.sessionId, rating: rating, comment: comment,
            lang: this.config.lang, site: this.site || null }),
        });
        if (!res.ok) throw await apiError(res);
        return await res.json();
      } catch (err) {
        this.say(this.errorText(err));
        return null;
      }
    }

    async deleteConversation() {
      var sid = this.sessionId;
      if (!sid) {
        this.say(this.s.nothing_to_delete);
        return;
      }
      try {
        var res = await fetch(this.api + "/api/sessions/" + encodeURIComponent(sid), {
          method: "DELETE", credentials: "omit",
        });
        if (!res.ok && res.status !== 404) throw await apiError(res);
      } catch (err) {
        this.say(this.s.delete_failed);
        return;
      }
      this.sessionId = null;
      this.history = [];
      this.saveHistory([]);
      var intro = this.intro;
      Array.prototype.slice.call(this.log.children).forEach(function (c) { if (c !== intro) c.remove(); });
      this.say(this.s.deleted);
      this.input.focus();
    }
  }

  customElements.define("privacybot-widget", PrivacybotWidget);

  function mount() {
    if (document.querySelector("privacybot-widget")) return;
    var node = document.createElement("privacybot-widget");
    if (script) {
      ["site", "lang", "api", "open"].forEach(function (k) {
        var v = script.getAttribute("data-" + k);
        if (v !== null) node.setAttribute(k, v);
      });
    }
    document.body.appendChild(node);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", mount);
  else mount();
})();
