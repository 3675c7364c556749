/* privacybot chat widget: plain JavaScript, no build step, no inline styles or scripts (works
 * under a strict Content-Security-Policy that allows this server in script-src, style-src and
 * connect-src).
 *
 *   <script src="https://bot.example/widget.js" data-site="ece" defer></script>
 *
 * Adds <privacybot-widget>: a launcher that opens a chat panel inside a shadow DOM (the page's CSS
 * cannot reach it). Strings, colours and the policy link come from GET /api/config in the
 * visitor's language (their choice, else the browser's, else the page's); answers stream from
 * POST /api/chat/stream. The session id and its secret token live in sessionStorage (this tab
 * only); the language choice in localStorage.
 */
(function () {
  "use strict";
  if (window.customElements === undefined || window.customElements.get("privacybot-widget")) return;

  var script = document.currentScript;
  var DEFAULT_API = script && script.src ? new URL(script.src, location.href).origin : location.origin;
  var SVG_NS = "http://www.w3.org/2000/svg";
  var LANG_KEY = "privacybot:lang";
  var ICONS = {
    chat: "M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2z",
    close: "M6 6l12 12M18 6L6 18",
    trash: "M4 7h16M9 7V4h6v3M6 7l1 13h10l1-13M10 11v6M14 11v6",
    up: "M7 11v9H4v-9h3zm0 0l4-8a2 2 0 0 1 2 2v4h5a2 2 0 0 1 2 2.3l-1.2 7A2 2 0 0 1 16.8 20H7",
    down: "M17 13V4h3v9h-3zm0 0l-4 8a2 2 0 0 1-2-2v-4H6a2 2 0 0 1-2-2.3l1.2-7A2 2 0 0 1 7.2 4H17",
    copy: "M9 9h10v11H9zM5 15V4h10",
    download: "M12 4v11M7 10l5 5 5-5M5 20h14",
  };
  /* The only strings not served by /api/config: what to say when /api/config cannot be reached. */
  var UNAVAILABLE = {
    en: { title: "Privacy assistant", text: "The privacy assistant cannot be reached right now.", retry: "Retry", close: "Close" },
    fr: { title: "Assistant données personnelles", text: "L'assistant données personnelles est injoignable pour le moment.", retry: "Réessayer", close: "Fermer" },
  };
  var FOCUSABLE = "button:not([disabled]), [href], textarea:not([disabled]), input:not([disabled]), summary, [tabindex]:not([tabindex='-1'])";

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      var v = attrs[k];
      if (v === null || v === undefined || v === false) return;
      if (k === "text") node.textContent = v;
      else if (k === "className") node.className = v;
      else if (k.slice(0, 2) === "on") node.addEventListener(k.slice(2), v);
      else node.setAttribute(k, v === true ? "" : v);
    });
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

  function squash(text) {
    return String(text || "").replace(/[\s“”«»"]+/g, " ").trim().toLowerCase();
  }

  /* Text with e-mail addresses and links made clickable, as DOM nodes (no innerHTML). A link
   * never swallows the punctuation or closing quote mark that follows it. */
  var LINK = /([A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+|https?:\/\/[^\s<>()"“”‘’«»]+[^\s<>()"“”‘’«».,;:!?'])/g;
  function richText(text) {
    var frag = document.createDocumentFragment();
    var last = 0;
    var m;
    LINK.lastIndex = 0;
    while ((m = LINK.exec(text)) !== null) {
      if (m.index > last) frag.appendChild(document.createTextNode(text.slice(last, m.index)));
      var href = m[0].indexOf("@") > 0 && m[0].indexOf("://") < 0 ? "mailto:" + m[0] : m[0];
      frag.appendChild(el("a", { href: href, target: "_blank", rel: "noopener noreferrer", text: m[0] }));
      last = m.index + m[0].length;
    }
    if (last < text.length) frag.appendChild(document.createTextNode(text.slice(last)));
    return frag;
  }

  function anchorOf(sectionId) {
    return String(sectionId || "").replace(/[^A-Za-z0-9_-]+/g, "-").replace(/^-+|-+$/g, "") || "section";
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
      try {
        onEvent(name, JSON.parse(data.join("\n")));
      } catch (e) { /* a malformed event is skipped */ }
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
    } catch (e) { body = null; }
    var err = (body && body.error) || {};
    return new ApiError(response.status, err.code || "http_" + response.status, err.message || "",
      response.headers.get("Retry-After"));
  }

  function storageGet(store, key) {
    try { return window[store].getItem(key); } catch (e) { return null; }
  }
  function storageSet(store, key, value) {
    try {
      if (value === null) window[store].removeItem(key);
      else window[store].setItem(key, value);
    } catch (e) { /* storage disabled: memory only */ }
  }

  class PrivacybotWidget extends HTMLElement {
    connectedCallback() {
      if (this.shadowRoot) return;
      this.api = (this.getAttribute("api") || DEFAULT_API).replace(/\/$/, "");
      this.site = this.getAttribute("site") || "";
      this.storeKey = "privacybot:" + (this.site || "default");
      this.root = this.attachShadow({ mode: "open" });
      this.busy = false;
      this.chosenLang = this.langChoice();
      this.loadConfig(this.chosenLang || this.browserLang() || this.pageLang());
    }

    /* ---------- language: the visitor's choice, else the browser's, else the page's ---------- */
    langChoice() {
      var v = storageGet("localStorage", LANG_KEY);
      return v === "en" || v === "fr" ? v : null;
    }
    browserLang() {
      var list = navigator.languages && navigator.languages.length ? navigator.languages : [navigator.language || ""];
      for (var i = 0; i < list.length; i++) {
        var code = String(list[i] || "").slice(0, 2).toLowerCase();
        if (code === "en" || code === "fr") return code;
      }
      return null;
    }
    pageLang() {
      var code = (this.getAttribute("lang") || document.documentElement.lang || "").slice(0, 2).toLowerCase();
      return code === "en" || code === "fr" ? code : null;
    }

    /* ---------- session (this tab only) ---------- */
    get session() {
      try {
        var s = JSON.parse(storageGet("sessionStorage", this.storeKey + ":session") || "null");
        return s && s.id ? s : this._session || null;
      } catch (e) { return this._session || null; }
    }
    set session(value) {
      this._session = value;
      storageSet("sessionStorage", this.storeKey + ":session", value ? JSON.stringify(value) : null);
    }
    loadHistory() {
      try { return JSON.parse(storageGet("sessionStorage", this.storeKey + ":history") || "[]"); } catch (e) { return []; }
    }
    saveHistory() {
      storageSet("sessionStorage", this.storeKey + ":history", this.history.length ? JSON.stringify(this.history.slice(-40)) : null);
    }

    async loadConfig(lang) {
      var params = new URLSearchParams();
      if (this.site) params.set("site", this.site);
      if (lang) params.set("lang", lang);
      try {
        var res = await fetch(this.api + "/api/config?" + params.toString(), { credentials: "omit" });
        if (!res.ok) throw await apiError(res);
        this.config = await res.json();
      } catch (e) {
        var refused = e instanceof ApiError && (e.status === 403 || e.status === 404);
        if (!refused && !(e instanceof ApiError)) refused = await this.reachable();  /* CORS refusal, not an outage */
        if (refused) {
          /* This page is not a listed site (or data-site is wrong): a webmaster's error, shown to them only. */
          if (window.console) console.warn("privacybot: widget disabled (" + (e.code || "origin_not_allowed") + ")");
          return;
        }
        this.renderUnavailable(lang);
        return;
      }
      this.s = this.config.strings;
      this.render();
    }

    /* Is the server up? (an opaque no-cors request: it succeeds even where CORS refuses us) */
    async reachable() {
      try {
        await fetch(this.api + "/healthz", { mode: "no-cors", credentials: "omit", cache: "no-store" });
        return true;
      } catch (e) {
        return false;
      }
    }

    /* The config call failed: a visible launcher that says so and offers Retry (never silence). */
    renderUnavailable(lang) {
      var u = UNAVAILABLE[lang === "en" ? "en" : "fr"];
      var self = this;
      this.root.textContent = "";
      var wrapper = el("div", { className: "pb-root pb-unavailable", lang: lang === "en" ? "en" : "fr" });
      var panel = el("section", { id: "pb-panel", className: "pb-panel", role: "dialog", "aria-labelledby": "pb-title", hidden: true }, [
        el("header", { className: "pb-header" }, [
          el("h2", { id: "pb-title", className: "pb-title", text: u.title }),
          el("button", { type: "button", className: "pb-icon", "aria-label": u.close, onclick: function () {
            panel.hidden = true; launcher.setAttribute("aria-expanded", "false"); launcher.focus();
          } }, [icon("close")]),
        ]),
        el("p", { className: "pb-error-text", role: "alert", text: u.text }),
        el("button", { type: "button", className: "pb-send pb-retry", onclick: function () { self.loadConfig(lang); } }, [u.retry]),
      ]);
      var launcher = el("button", { type: "button", className: "pb-launcher", "aria-expanded": "false", "aria-controls": "pb-panel",
        onclick: function () { panel.hidden = false; launcher.setAttribute("aria-expanded", "true"); panel.querySelector(".pb-retry").focus(); },
      }, [icon("chat"), el("span", { className: "pb-launcher-label", text: u.title + " — " + u.text })]);
      wrapper.appendChild(panel);
      wrapper.appendChild(launcher);
      this.root.appendChild(el("link", { rel: "stylesheet", href: this.api + "/widget.css" }));
      this.root.appendChild(wrapper);
    }

    /* ---------- layout ---------- */
    render() {
      var s = this.s;
      var self = this;
      var wasOpen = this.panel && !this.panel.hidden;
      this.root.textContent = "";
      var css = el("link", { rel: "stylesheet", href: this.api + "/widget.css" });
      var wrapper = el("div", { className: "pb-root", lang: this.config.lang, hidden: true });
      css.addEventListener("load", function () { wrapper.hidden = false; });
      css.addEventListener("error", function () { wrapper.hidden = false; });
      ["primary", "on_primary", "accent", "surface", "text"].forEach(function (k) {
        wrapper.style.setProperty("--pb-" + k.replace("_", "-"), self.config.theme[k]);
      });

      this.launcher = el("button", {
        type: "button", className: "pb-launcher", "aria-expanded": "false", "aria-controls": "pb-panel",
        "aria-haspopup": "dialog", onclick: this.toggle.bind(this),
      }, [icon("chat"), el("span", { className: "pb-launcher-label", text: s.launcher })]);

      var other = this.config.lang === "fr" ? "en" : "fr";
      this.langBtn = el("button", { type: "button", className: "pb-lang", lang: other, title: s.switch_label,
        "aria-label": s.switch_to + " — " + s.switch_label, onclick: function () { self.switchLang(other); } }, [other.toUpperCase()]);
      this.downloadBtn = el("button", { type: "button", className: "pb-icon", "aria-label": s.download, title: s.download,
        onclick: this.downloadTranscript.bind(this) }, [icon("download")]);
      this.deleteBtn = el("button", { type: "button", className: "pb-icon", "aria-label": s["delete"], title: s["delete"],
        onclick: this.askDelete.bind(this) }, [icon("trash")]);
      this.closeBtn = el("button", { type: "button", className: "pb-icon", "aria-label": s.close, title: s.close,
        onclick: this.close.bind(this) }, [icon("close")]);

      var policyHref = this.config.policy_url || (this.api + "/policy/" + encodeURIComponent(this.config.kb || "") + "?lang=" + this.config.lang);
      this.starters = el("div", { className: "pb-quick pb-starters", role: "group", "aria-label": s.starters_label },
        ["starter_1", "starter_2", "starter_3"].filter(function (k) { return s[k]; }).map(function (k) {
          return el("button", { type: "button", className: "pb-chip", onclick: function () { self.send(s[k], {}); } }, [s[k]]);
        }));
      this.intro = el("div", { className: "pb-intro" }, [
        el("p", { id: "pb-disclosure", className: "pb-disclosure", text: s.disclosure }),
        el("p", { id: "pb-sensitive", className: "pb-sensitive", text: s.sensitive }),
        el("p", { className: "pb-small" }, [el("a", { href: policyHref, target: "_blank", rel: "noopener", text: s.full_policy })]),
        el("p", { className: "pb-small pb-starters-label", text: s.starters_label }),
        this.starters,
      ]);
      this.log = el("div", { className: "pb-log", role: "region", "aria-label": s.dialog_label, tabindex: "0" }, [this.intro]);
      this.live = el("div", { className: "pb-sr", role: "status", "aria-live": "polite", "aria-atomic": "true" });
      this.status = el("div", { className: "pb-status" });

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
        "aria-labelledby": "pb-title", "aria-describedby": "pb-disclosure pb-sensitive", hidden: true,
      }, [
        el("header", { className: "pb-header" }, [
          el("div", { className: "pb-heading" }, [
            el("h2", { id: "pb-title", className: "pb-title", text: s.title }),
            el("p", { className: "pb-subtitle", text: s.subtitle }),
          ]),
          this.langBtn, this.downloadBtn, this.deleteBtn, this.closeBtn,
        ]),
        this.log, this.status, this.form, this.live,
      ]);
      this.panel.addEventListener("keydown", this.onPanelKey.bind(this));

      wrapper.appendChild(this.panel);
      wrapper.appendChild(this.launcher);
      this.root.appendChild(css);
      this.root.appendChild(wrapper);
      this.wrapper = wrapper;
      this.fullScreen = window.matchMedia("(max-width: 640px), (max-height: 480px)");
      this.fullScreen.addEventListener("change", function (q) {  /* rotation, zoom: modal only when full screen */
        if (!self.panel.hidden) self.panel.setAttribute("aria-modal", q.matches ? "true" : "false");
      });
      this.history = this.loadHistory();
      this.history.forEach(function (item) { self.renderSaved(item); });
      if (wasOpen || this.getAttribute("open") !== null) this.open();
    }

    async switchLang(lang) {
      storageSet("localStorage", LANG_KEY, lang);
      this.chosenLang = lang;
      var draft = this.input ? this.input.value : "";
      await this.loadConfig(lang);
      if (this.input) {
        this.input.value = draft;
        if (this.panel && !this.panel.hidden) this.langBtn.focus();
      }
    }

    /* ---------- open / close; modal with a focus trap when the panel fills the screen ---------- */
    toggle() {
      if (this.panel.hidden) this.open();
      else this.close();
    }
    open() {
      var modal = this.fullScreen.matches;
      this.panel.hidden = false;
      this.panel.setAttribute("aria-modal", modal ? "true" : "false");
      this.wrapper.classList.add("pb-open");
      this.launcher.setAttribute("aria-expanded", "true");
      this.input.focus();
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
        if (this.confirmBox) this.cancelDelete();
        else this.close();
      } else if (event.key === "Tab" && this.panel.getAttribute("aria-modal") === "true") {
        var items = Array.prototype.filter.call(this.panel.querySelectorAll(FOCUSABLE), function (n) {
          return n.offsetParent !== null || n === document.activeElement;
        });
        if (!items.length) return;
        var first = items[0];
        var last = items[items.length - 1];
        var active = this.root.activeElement;
        if (event.shiftKey && (active === first || !this.panel.contains(active))) {
          event.preventDefault();
          last.focus();
        } else if (!event.shiftKey && (active === last || !this.panel.contains(active))) {
          event.preventDefault();
          first.focus();
        }
      }
    }
    onInputKey(event) {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        if (this.form.requestSubmit) this.form.requestSubmit();
        else this.onSubmit(event);
      }
    }
    /* Show a message from its first line (a long answer is read from the top, not the tail). */
    scrollToStart(node) {
      var top = node.offsetTop - this.log.offsetTop - 8;
      this.log.scrollTop = Math.max(0, top);
    }
    announce(text) {
      var live = this.live;
      live.textContent = "";
      window.setTimeout(function () { live.textContent = text || ""; }, 60);
    }
    showStatus(text, retry) {
      this.status.textContent = "";
      if (!text) return;
      var box = el("div", { className: "pb-alert", role: "alert" }, [el("p", { text: text })]);
      if (retry) box.appendChild(el("button", { type: "button", className: "pb-send pb-retry", onclick: retry }, [this.s.retry]));
      this.status.appendChild(box);
    }

    /* ---------- messages ---------- */
    addUser(text, guard) {
      var body = el("p", { className: "pb-text", text: guard && guard.notice && guard.redacted_message ? guard.redacted_message : text });
      var node = el("div", { className: "pb-msg pb-user" }, [el("span", { className: "pb-sr", text: this.s.you + ": " }), body]);
      this.log.appendChild(node);
      if (guard) this.showGuardNotice({ node: node, body: body }, guard);
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
      return { node: node, text: text };
    }
    citationLabel(c) {
      if (c.label) return c.label;
      var labels = this.config.labels || {};
      var aud = (labels.audience || {})[c.audience];
      var sec = c.section ? (labels.section || {})[c.section] : null;
      if (!sec) {
        var m = /^([IVX]+)\b/.exec(c.heading || "");
        sec = (m && (labels.section || {})[m[1]]) || c.heading;
      }
      return aud && c.audience !== "general" ? aud + " · " + sec : sec;
    }
    citationHref(c) {
      if (this.config.policy_url) return this.config.policy_url;
      var q = "lang=" + this.config.lang;
      if (typeof c.start === "number" && typeof c.end === "number" && c.end > c.start) q = "hl=" + c.start + "-" + c.end + "&" + q;
      return this.api + "/policy/" + encodeURIComponent(c.kb || this.config.kb || "") + "?" + q + "#" + anchorOf(c.section_id);
    }
    /* One source line per policy section; a quote already in the answer text is not repeated,
     * any other quote is one click away (collapsed). */
    renderCitations(node, answerText, citations) {
      var self = this;
      var s = this.s;
      var seen = {};
      var inText = squash(answerText);
      (citations || []).forEach(function (c) {
        var label = self.citationLabel(c);
        var key = c.section_id + "|" + squash(c.quote);
        if (seen[key]) return;
        seen[key] = true;
        var link = el("a", { className: "pb-policy-link", href: self.citationHref(c), target: "_blank", rel: "noopener",
          "aria-label": fill(s.open_policy_label, { label: label }), text: s.open_policy });
        var line = el("p", { className: "pb-source" }, [fill(s.source, { label: label }) + " — ", link]);
        var box = el("div", { className: "pb-cite" }, [line]);
        if (c.quote && inText.indexOf(squash(c.quote)) < 0) {
          box.appendChild(el("details", { className: "pb-quote-box" }, [
            el("summary", { text: s.quote_show }), el("blockquote", { className: "pb-quote", text: c.quote }),
          ]));
        }
        node.appendChild(box);
      });
    }
    renderQuickReplies(node, replies) {
      if (!replies || !replies.length) return;
      var self = this;
      var group = el("div", { className: "pb-quick", role: "group" });
      replies.forEach(function (qr) {
        group.appendChild(el("button", { type: "button", className: "pb-chip", onclick: function () {
          group.querySelectorAll("button").forEach(function (b) { b.disabled = true; });
          self.send(qr.value || qr.label, { label: qr.label, audience: qr.value, onFail: function () {
            group.querySelectorAll("button").forEach(function (b) { b.disabled = false; });
          } });
        } }, [qr.label]));
      });
      node.appendChild(group);
    }
    renderTools(node, item) {
      var self = this;
      var s = this.s;
      var bar = el("div", { className: "pb-feedback" });
      var note = el("span", { className: "pb-thanks", role: "status" });
      var thumbs = {};
      function paint() {
        ["up", "down"].forEach(function (r) { thumbs[r].setAttribute("aria-pressed", String(item.vote === r)); });
      }
      function rate(rating) {
        return async function () {
          if (item.vote === rating) return;
          thumbs.up.disabled = thumbs.down.disabled = true;
          note.textContent = s.feedback_sending;
          var ok = await self.sendFeedback(item, rating, null);
          thumbs.up.disabled = thumbs.down.disabled = false;
          if (!ok) {
            note.textContent = s.feedback_failed;
            return;
          }
          item.vote = rating;
          self.saveHistory();
          paint();
          note.textContent = s.feedback_thanks;
          if (rating === "down") self.askComment(node, item, note);
        };
      }
      thumbs.up = el("button", { type: "button", className: "pb-thumb", "aria-pressed": "false", "aria-label": s.helpful,
        title: s.helpful, onclick: rate("up") }, [icon("up")]);
      thumbs.down = el("button", { type: "button", className: "pb-thumb", "aria-pressed": "false", "aria-label": s.not_helpful,
        title: s.not_helpful, onclick: rate("down") }, [icon("down")]);
      var copy = el("button", { type: "button", className: "pb-thumb", "aria-label": s.copy, title: s.copy, onclick: function () {
        self.copyAnswer(item);
      } }, [icon("copy")]);
      bar.appendChild(thumbs.up);
      bar.appendChild(thumbs.down);
      bar.appendChild(copy);
      bar.appendChild(note);
      paint();
      node.appendChild(bar);
    }
    askComment(node, item, note) {
      var self = this;
      if (node.querySelector(".pb-comment-form")) return;
      var id = "pb-comment-" + Math.random().toString(36).slice(2);
      var box = el("textarea", { id: id, className: "pb-input pb-comment", rows: "2", maxlength: "1000" });
      var send = el("button", { type: "submit", className: "pb-send pb-secondary" }, [this.s.feedback_send]);
      var form = el("form", { className: "pb-comment-form" }, [
        el("label", { for: id, className: "pb-small", text: this.s.feedback_comment }), box, send,
      ]);
      form.addEventListener("submit", async function (event) {
        event.preventDefault();
        if (!box.value.trim()) return;
        send.disabled = true;
        note.textContent = self.s.feedback_sending;
        var res = await self.sendFeedback(item, "down", box.value);
        send.disabled = false;
        if (!res) {
          note.textContent = self.s.feedback_failed;
          return;
        }
        note.textContent = "";
        form.replaceWith(el("p", { className: "pb-small", role: "status",
          text: self.s.feedback_comment_saved + (res.notice ? " " + res.notice : "") }));
      });
      node.appendChild(form);
      box.focus();
    }

    renderSaved(item) {
      if (item.role === "user") this.addUser(item.text, item.guard);
      else this.finishBot(this.addBot(), item, false);
    }
    finishBot(bot, item, live) {
      var thinking = bot.node.querySelector(".pb-thinking");
      if (thinking) thinking.remove();
      bot.text.textContent = "";
      bot.text.appendChild(richText(item.text || ""));
      bot.node.setAttribute("data-kind", item.kind || "answer");
      this.renderCitations(bot.node, item.text, item.citations);
      if (live) this.renderQuickReplies(bot.node, item.quick_replies);
      if (item.kind !== "greeting") this.renderTools(bot.node, item);
      bot.node.removeAttribute("aria-busy");
      if (live) {
        this.scrollToStart(bot.node);
        this.announce(this.s.bot + ": " + (item.text || ""));  /* once per finished answer */
      }
    }
    errorText(err) {
      var s = this.s;
      if (!(err instanceof ApiError)) return s.error_offline;
      if (err.status === 429) return fill(s.error_rate_limited, { seconds: err.retryAfter || 10 });
      if (err.code === "timeout" || err.status === 504) return s.error_timeout;
      if (err.status === 413 || (err.status === 400 && /long/i.test(err.message))) return fill(s.error_too_long, { max: this.config.max_message_chars });
      if (err.status === 403 || err.status === 404) return s.error_session;
      if (err.status >= 500) return fill(s.error_server, { status: err.status });
      return s.error_generic;
    }

    /* ---------- actions ---------- */
    onSubmit(event) {
      if (event) event.preventDefault();
      var text = this.input.value.trim();
      if (!text || this.busy) return;
      if (text.length > this.config.max_message_chars) {
        this.showStatus(fill(this.s.error_too_long, { max: this.config.max_message_chars }));
        return;
      }
      this.send(text, { fromInput: true });
    }

    /* The typed text stays in the box until the answer arrives; on any failure an error with a
     * Retry button appears and nothing is lost. */
    async send(message, opts) {
      if (this.busy) return;
      var self = this;
      this.busy = true;
      this.sendBtn.disabled = true;
      this.input.readOnly = true;
      this.showStatus("");
      var user = this.addUser(opts.label || message, null);
      var bot = this.addBot();
      this.scrollToStart(user.node);
      var payload = { message: message, site: this.site || null };
      if (this.chosenLang) payload.lang = this.chosenLang;
      if (opts.audience && /^[a-z_]{3,40}$/.test(opts.audience)) payload.audience = opts.audience;
      var session = this.session;
      if (session) {
        payload.session_id = session.id;
        if (session.token) payload.session_token = session.token;
      }
      var item = { role: "bot", text: "", citations: [], quick_replies: [] };
      var failed = null;
      var guard = null;
      try {
        var res = await fetch(this.api + "/api/chat/stream", {
          method: "POST", credentials: "omit",
          headers: { "Content-Type": "application/json", Accept: "text/event-stream" },
          body: JSON.stringify(payload),
        });
        if (!res.ok) throw await apiError(res);
        await readSSE(res, function (name, data) {
          if (data.session_id) self.session = { id: data.session_id, token: data.session_token || (self.session || {}).token || null };
          if (data.exchange_id) item.exchange_id = data.exchange_id;
          if (name === "meta") {
            item.kind = data.kind;
            item.lang = data.lang;
            item.quick_replies = data.quick_replies || [];
            guard = data.guard;
            self.showGuardNotice(user, data.guard);
            var thinking = bot.node.querySelector(".pb-thinking");
            if (thinking) thinking.remove();
          } else if (name === "token") {
            item.text += data.text;
            bot.text.textContent = item.text;
          } else if (name === "sources") {
            item.citations = data.citations || [];
          } else if (name === "error") {
            failed = new ApiError(data.status || 500, data.code, data.message, null);
          }
        });
      } catch (err) {
        failed = err;
      }
      if (failed || !item.kind) {
        user.node.remove();
        bot.node.remove();
        if (failed instanceof ApiError && (failed.status === 403 || failed.status === 404)) this.session = null;
        if (!this.input.value.trim()) this.input.value = opts.label || message;
        if (opts.onFail) opts.onFail();
        var text = this.errorText(failed);
        this.showStatus(text, function () { self.showStatus(""); self.onSubmit(); });
        this.announce(text);
      } else {
        if (opts.fromInput) this.input.value = "";
        this.finishBot(bot, item, true);
        var shown = guard && guard.notice ? guard.redacted_message : (opts.label || message);
        this.history.push({ role: "user", text: shown, guard: guard && guard.notice ? guard : null });
        this.history.push(item);
        this.saveHistory();
      }
      this.busy = false;
      this.sendBtn.disabled = false;
      this.input.readOnly = false;
      this.input.focus();
    }

    async sendFeedback(item, rating, comment) {
      var session = this.session;
      if (!session) return null;
      try {
        var res = await fetch(this.api + "/api/feedback", {
          method: "POST", credentials: "omit", headers: { "Content-Type": "application/json" },
          body: JSON.stringify({ site: this.site || null, session_id: session.id, session_token: session.token || null,
            exchange_id: item.exchange_id || null, rating: rating, comment: comment, lang: this.config.lang }),
        });
        if (!res.ok) throw await apiError(res);
        return await res.json();
      } catch (err) {
        return null;
      }
    }

    copyAnswer(item) {
      var self = this;
      var lines = [item.text || ""];
      (item.citations || []).forEach(function (c) { lines.push(fill(self.s.source, { label: self.citationLabel(c) }) + " — " + self.citationHref(c)); });
      var done = function () { self.announce(self.s.copied); self.showStatus(""); };
      var fail = function () { self.showStatus(self.s.copy_failed); };
      if (navigator.clipboard && navigator.clipboard.writeText) navigator.clipboard.writeText(lines.join("\n")).then(done, fail);
      else fail();
    }

    async downloadTranscript() {
      var session = this.session;
      if (!session) {
        this.showStatus(this.s.nothing_to_download);
        return;
      }
      var s = this.s;
      try {
        var res = await fetch(this.api + "/api/sessions/" + encodeURIComponent(session.id), {
          credentials: "omit", headers: { "X-Session-Token": session.token || "" },
        });
        if (!res.ok) throw await apiError(res);
        var data = await res.json();
      } catch (err) {
        this.showStatus(s.download_failed);
        return;
      }
      var lines = [s.title ? fill(s.transcript_title, { school: this.config.school }) : "", s.transcript_note, ""];
      (data.messages || []).forEach(function (m) {
        lines.push((m.role === "visitor" ? s.you : s.bot) + " (" + (m.created || "") + ")");
        lines.push(m.text || "");
        lines.push("");
      });
      var blob = new Blob([lines.join("\n")], { type: "text/plain;charset=utf-8" });
      var url = URL.createObjectURL(blob);
      var a = el("a", { href: url, download: "conversation-" + new Date().toISOString().slice(0, 10) + ".txt", className: "pb-sr" });
      this.root.appendChild(a);
      a.click();
      a.remove();
      window.setTimeout(function () { URL.revokeObjectURL(url); }, 1000);
    }

    askDelete() {
      var self = this;
      if (!this.session) {
        this.showStatus(this.s.nothing_to_delete);
        return;
      }
      if (this.confirmBox) return;
      var no = el("button", { type: "button", className: "pb-send pb-secondary", onclick: function () { self.cancelDelete(); } }, [this.s.delete_confirm_no]);
      var yes = el("button", { type: "button", className: "pb-send pb-danger", onclick: function () { self.deleteConversation(); } }, [this.s.delete_confirm_yes]);
      this.confirmBox = el("div", { className: "pb-alert", role: "alertdialog", "aria-labelledby": "pb-confirm-text", "aria-modal": "false" }, [
        el("p", { id: "pb-confirm-text", text: this.s.delete_confirm }), el("div", { className: "pb-row" }, [yes, no]),
      ]);
      this.status.textContent = "";
      this.status.appendChild(this.confirmBox);
      no.focus();
    }
    cancelDelete() {
      if (this.confirmBox) this.confirmBox.remove();
      this.confirmBox = null;
      this.deleteBtn.focus();
    }
    async deleteConversation() {
      var session = this.session;
      this.confirmBox = null;
      try {
        var res = await fetch(this.api + "/api/sessions/" + encodeURIComponent(session.id), {
          method: "DELETE", credentials: "omit", headers: { "X-Session-Token": session.token || "" },
        });
        if (!res.ok && res.status !== 404) throw await apiError(res);
      } catch (err) {
        this.showStatus(this.s.delete_failed);
        return;
      }
      this.session = null;
      this.history = [];
      this.saveHistory();
      var intro = this.intro;
      Array.prototype.slice.call(this.log.children).forEach(function (c) { if (c !== intro) c.remove(); });
      this.showStatus(this.s.deleted);
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
