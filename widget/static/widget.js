// The Help widget: a chat panel that talks to the Rasa server over its REST channel.
//
// Rules this file keeps:
// - Text from the bot or the user is never parsed as HTML: every message is built from
//   text nodes and <a> elements we create, so "<script>" shows as those characters.
// - The REST channel has no history for the client, so the sender id and everything shown
//   live in localStorage; a reload re-renders them and the conversation carries on.
// - Messages go out one at a time, in order: Rasa answers each turn with that turn's
//   replies, and two requests in flight could come back in either order.
// - What the user types or pastes is sent as it is, line breaks included, or not at all:
//   past the channel's limit (config.json's max_message_chars) the count says so and
//   Send waits, instead of the text being cut.
"use strict";

(function () {
  const HISTORY_LIMIT = 200;          // entries kept in localStorage; older ones drop off
  const REQUEST_TIMEOUT_MS = 90000;   // a first turn on a cold server can take a while
  const $ = (id) => document.getElementById(id);
  const els = {
    panel: $("hw-panel"), launcher: $("hw-launcher"), badge: $("hw-badge"), close: $("hw-close"),
    scroll: $("hw-scroll"), log: $("hw-log"), typing: $("hw-typing"),
    form: $("hw-form"), input: $("hw-input"), count: $("hw-count"), send: $("hw-send"), hostUser: $("host-user"),
  };

  let config = null;
  let state = null;            // {senderId, open, unread, history: [entry]}; see newState()
  let storageKey = null;
  let pending = 0;             // requests in flight or queued: the typing indicator shows while > 0
  let queue = Promise.resolve();

  // ---- state in localStorage -------------------------------------------------------------

  function newState() {
    return { senderId: randomId(), open: false, unread: 0, history: [] };
  }

  function randomId() {
    // crypto.randomUUID needs a secure context; getRandomValues works on a plain http address too.
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    return "web-" + Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }

  function load() {
    try {
      const saved = JSON.parse(localStorage.getItem(storageKey));
      if (saved && typeof saved.senderId === "string" && Array.isArray(saved.history)) return saved;
    } catch (e) { /* unreadable or blocked storage: start afresh */ }
    return newState();
  }

  function save() {
    state.history = state.history.slice(-HISTORY_LIMIT);
    try { localStorage.setItem(storageKey, JSON.stringify(state)); } catch (e) { /* full or blocked: keep going in memory */ }
  }

  // ---- rendering ---------------------------------------------------------------------------

  // http(s) URLs, or email addresses. Trailing punctuation is trimmed off URLs below, so
  // "see https://docs.haptik.ai." links without the full stop.
  const LINK = /(https?:\/\/[^\s<>"']+)|([A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,})/g;

  function link(href, text) {
    const a = document.createElement("a");
    a.href = href;
    a.textContent = text;
    a.target = "_blank";
    a.rel = "noopener noreferrer";
    return a;
  }

  // Splits text into text nodes and links; line breaks stay in the text (white-space: pre-wrap).
  function linkified(text) {
    const fragment = document.createDocumentFragment();
    let last = 0;
    for (const match of text.matchAll(LINK)) {
      let found = match[0];
      let href;
      if (match[1]) {
        found = found.replace(/[.,;:!?'")\]]+$/, "");
        href = found;
      } else {
        href = "mailto:" + found;
      }
      fragment.append(document.createTextNode(text.slice(last, match.index)), link(href, found));
      last = match.index + found.length;
    }
    fragment.append(document.createTextNode(text.slice(last)));
    return fragment;
  }

  function renderEntry(entry, index) {
    const row = document.createElement("div");
    row.className = "hw-msg hw-from-" + entry.from;
    if (entry.text) {
      const bubble = document.createElement("div");
      bubble.className = "hw-bubble";
      // Screen readers hear who spoke; sighted users see it from the side and colour.
      const who = document.createElement("span");
      who.className = "hw-visually-hidden";
      who.textContent = entry.from === "user" ? "You: " : entry.from === "bot" ? "Help assistant: " : "";
      bubble.append(who, linkified(entry.text));
      row.append(bubble);
    }
    if (entry.image && /^https?:\/\//.test(entry.image)) {
      const img = document.createElement("img");
      img.className = "hw-image";
      img.src = entry.image;
      img.alt = "Image from the Help assistant";
      row.append(img);
    }
    if (entry.buttons && entry.buttons.length) row.append(renderButtons(entry, index));
    return row;
  }

  function renderButtons(entry, index) {
    const group = document.createElement("div");
    group.className = "hw-buttons";
    group.setAttribute("role", "group");
    group.setAttribute("aria-label", "Replies");
    entry.buttons.forEach((button, i) => {
      const b = document.createElement("button");
      b.type = "button";
      b.className = "hw-button" + (entry.chosen === i ? " hw-chosen" : "");
      b.textContent = button.title;
      // An answered set stays visible (it is part of the record) but can't be sent again.
      b.disabled = Boolean(entry.answered);
      b.addEventListener("click", () => choose(index, i));
      group.append(b);
    });
    return group;
  }

  function renderAll() {
    els.log.replaceChildren();
    if (!state.history.length) {
      // A local welcome, not sent to Rasa: nothing happens until the user writes.
      const first = (config.user.name || "").split(" ")[0];
      els.log.append(renderEntry({
        from: "bot",
        text: `Hi${first ? " " + first : ""}! Tell me what's wrong and I'll file a support ticket, or ask me about support: response times, severities, business hours.`,
      }, -1));
    }
    state.history.forEach((entry, i) => els.log.append(renderEntry(entry, i)));
    scrollDown();
  }

  function append(entry) {
    state.history.push(entry);
    if (state.history.length > HISTORY_LIMIT) {
      save();                       // trims; indexes shift, so draw it all again
      renderAll();
      return;
    }
    if (state.history.length === 1) els.log.replaceChildren();   // the welcome goes
    els.log.append(renderEntry(entry, state.history.length - 1));
    save();
    scrollDown();
  }

  function scrollDown() {
    els.scroll.scrollTop = els.scroll.scrollHeight;
  }

  function setTyping(on) {
    els.typing.hidden = !on;
    if (on) scrollDown();
  }

  function showUnread() {
    const n = state.unread;
    els.badge.hidden = n === 0;
    els.badge.dataset.count = String(n);
    els.badge.replaceChildren();
    if (n) {
      const digits = document.createElement("span");
      digits.setAttribute("aria-hidden", "true");
      digits.textContent = n > 99 ? "99+" : String(n);
      const spoken = document.createElement("span");
      spoken.className = "hw-visually-hidden";
      spoken.textContent = `, ${n} unread ${n === 1 ? "reply" : "replies"}`;
      els.badge.append(digits, spoken);
    }
  }

  // ---- open and close ------------------------------------------------------------------------

  function setOpen(open, { focus = true } = {}) {
    state.open = open;
    els.panel.hidden = !open;
    els.launcher.setAttribute("aria-expanded", String(open));
    document.body.classList.toggle("hw-is-open", open);
    if (open) {
      state.unread = 0;
      scrollDown();
      if (focus) els.input.focus();
    } else if (focus) {
      els.launcher.focus();      // keyboard users land back where they opened it
    }
    showUnread();
    save();
  }

  // ---- the input ---------------------------------------------------------------------------

  const COUNT_FROM = 0.8;              // the count shows once a message is this close to the limit
  const HINT = "Shift+Enter for a new line";

  // Grows the text area with its lines (CSS caps it), and says how close the text is to the limit.
  function inputChanged() {
    els.input.style.height = "auto";
    els.input.style.height = els.input.scrollHeight + "px";
    const length = els.input.value.length;
    const limit = config.max_message_chars;
    const over = length > limit;
    els.count.classList.toggle("hw-over", over);
    els.send.disabled = over;
    els.input.setAttribute("aria-invalid", String(over));
    if (over) {
      els.count.textContent = `${number(length)} / ${number(limit)} characters: ${number(length - limit)} too many to send. Shorten it or send it in parts.`;
    } else if (length >= limit * COUNT_FROM) {
      els.count.textContent = `${number(length)} / ${number(limit)} characters`;
    } else {
      els.count.textContent = HINT;
    }
  }

  function number(n) {
    return n.toLocaleString("en");
  }

  function submitInput() {
    const text = els.input.value.trim();
    if (!text || text.length > config.max_message_chars) return;
    els.input.value = "";
    inputChanged();
    send(text, text);
  }

  // ---- talking to Rasa -------------------------------------------------------------------

  // The browser's own zone (an IANA name), so the bot quotes times as the user reads a clock.
  const timezone = (() => {
    try { return Intl.DateTimeFormat().resolvedOptions().timeZone || null; } catch (e) { return null; }
  })();

  function metadata() {
    const meta = { user: config.user };
    if (config.user_token) meta.user_token = config.user_token;   // the signed-token issue
    if (timezone) meta.timezone = timezone;
    return meta;
  }

  // The user's side shows at once; the request joins the queue behind any earlier ones.
  function send(payload, shownText) {
    state.history.forEach((entry) => { if (entry.buttons) entry.answered = true; });
    els.log.querySelectorAll(".hw-button").forEach((b) => { b.disabled = true; });
    append({ from: "user", text: shownText });
    pending += 1;
    setTyping(true);
    // Nothing in here may reject: a rejected queue would skip every later message.
    queue = queue.then(async () => {
      try {
        receive(await post(payload));
      } catch (e) {
        append({ from: "system", text: "Sorry, I can't reach the Help assistant right now. Please try again in a moment." });
      } finally {
        pending -= 1;
        setTyping(pending > 0);
      }
    });
  }

  async function post(message) {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), REQUEST_TIMEOUT_MS);
    try {
      const response = await fetch(config.rasa_url + "/webhooks/rest/webhook", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ sender: state.senderId, message, metadata: metadata() }),
        signal: controller.signal,
      });
      if (!response.ok) throw new Error("Rasa answered " + response.status);
      return await response.json();
    } finally {
      clearTimeout(timer);
    }
  }

  function receive(replies) {
    for (const reply of Array.isArray(replies) ? replies : []) {
      const entry = { from: "bot" };
      if (typeof reply.text === "string") entry.text = reply.text;
      if (typeof reply.image === "string") entry.image = reply.image;
      if (Array.isArray(reply.buttons)) {
        entry.buttons = reply.buttons
          .filter((b) => b && typeof b.title === "string")
          .map((b) => ({ title: b.title, payload: String(b.payload ?? b.title) }));
      }
      if (!entry.text && !entry.image && !(entry.buttons && entry.buttons.length)) continue;
      if (!state.open) state.unread += 1;
      append(entry);
    }
    showUnread();
    save();
  }

  function choose(index, i) {
    const entry = state.history[index];
    if (!entry || entry.answered) return;   // a double click's second click ends here
    entry.chosen = i;
    const button = entry.buttons[i];
    send(button.payload, button.title);
    const chosen = els.log.children[index] && els.log.children[index].querySelectorAll(".hw-button")[i];
    if (chosen) chosen.classList.add("hw-chosen");
    save();
  }

  // ---- start -----------------------------------------------------------------------------

  async function start() {
    try {
      config = await (await fetch("config.json", { cache: "no-store" })).json();
    } catch (e) {
      els.hostUser.textContent = "Could not load config.json";
      return;
    }
    const user = config.user || {};
    els.hostUser.textContent = `Signed in as ${user.name} (${user.email}) · ${user.account}`;
    // One conversation per signed-in user: someone else signing in on this browser
    // does not see, or continue, the previous person's conversation.
    storageKey = "help-widget:v1:" + (user.email || "anonymous");
    state = load();
    renderAll();
    setOpen(Boolean(state.open), { focus: false });   // reopen after a reload, without stealing focus
    showUnread();

    els.launcher.addEventListener("click", () => setOpen(!state.open));
    els.close.addEventListener("click", () => setOpen(false));
    els.panel.addEventListener("keydown", (event) => {
      if (event.key === "Escape") setOpen(false);
    });
    els.form.addEventListener("submit", (event) => {
      event.preventDefault();
      submitInput();
    });
    els.input.addEventListener("keydown", (event) => {
      // Enter sends; Shift+Enter (and Enter while an input method is composing) adds to the text.
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        submitInput();
      }
    });
    els.input.addEventListener("input", inputChanged);
    inputChanged();
    document.documentElement.dataset.widgetReady = "true";   // for tests: listeners are wired
  }

  start();
})();
