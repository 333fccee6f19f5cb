/*! Parley visitor chat widget. Embed with:
 *  <script src="https://HOST/widget.js" data-site-key="KEY" async></script>
 * Optional: data-color="#0f766e" overrides the site's theme colour.
 * API: window.Parley.open(), window.Parley.close(), window.Parley.toggle().
 */
(() => {
  "use strict";

  const MAX_FILE = 10 * 1024 * 1024;
  const ICON_CLIP = '<svg viewBox="0 0 24 24" width="18" height="18" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" aria-hidden="true"><path d="M21 11.5 12.5 20a5 5 0 0 1-7-7l9-9a3.5 3.5 0 0 1 5 5l-9 9a2 2 0 0 1-3-3l8-8"/></svg>';
  const CSS = /*__PARLEY_CSS__*/"";

  const W = window;
  const D = document;
  if (D.getElementById("parley-widget") || (W.Parley && W.Parley.version)) return;

  const script = D.currentScript || D.querySelector("script[data-site-key]");
  const siteKey = script && script.getAttribute("data-site-key");
  if (!siteKey) {
    console.warn("[Parley] widget not shown: no data-site-key on the script tag");
    return;
  }
  let base;
  try {
    base = new URL(script.src, location.href).origin;
  } catch (e) {
    console.warn("[Parley] widget not shown: cannot read the script's address");
    return;
  }
  const wsBase = base.replace(/^http/, "ws");
  const colorOverride = script.getAttribute("data-color");

  const DEFAULT_COLOR = "#0f766e";
  const PING_MS = 25000;
  const DEAD_MS = 60000;
  const CONNECT_TIMEOUT = 15000;
  const BACKOFF_BASE = 500;
  const BACKOFF_CAP = 15000;
  const TYPING_THROTTLE = 2000;
  const TYPING_IDLE = 3000;
  const TYPING_SHOW = 6000;
  const MAX_BODY = 5000;
  // Signed file links live 300 s on the server; one older than this is asked for again.
  const LINK_FRESH_MS = 240000;

  // ---------------------------------------------------------------- storage (may be blocked)
  const prefix = "parley:" + siteKey + ":";
  const storage = (kind) => ({
    get(k) {
      try { return W[kind].getItem(prefix + k); } catch (e) { return null; }
    },
    set(k, v) {
      try {
        if (v == null) W[kind].removeItem(prefix + k);
        else W[kind].setItem(prefix + k, v);
      } catch (e) { /* private mode, sandboxed frame: carry on without */ }
    },
  });
  const local = storage("localStorage");
  const tab = storage("sessionStorage");

  // ---------------------------------------------------------------- helpers
  function uuid() {
    const c = W.crypto;
    if (c && typeof c.randomUUID === "function") {
      try { return c.randomUUID(); } catch (e) { /* insecure context */ }
    }
    const b = new Uint8Array(16);
    if (c && c.getRandomValues) c.getRandomValues(b);
    else for (let i = 0; i < 16; i++) b[i] = (Math.random() * 256) | 0;
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    const x = Array.from(b, (n) => (n + 256).toString(16).slice(1)).join("");
    return x.slice(0, 8) + "-" + x.slice(8, 12) + "-" + x.slice(12, 16) + "-" +
      x.slice(16, 20) + "-" + x.slice(20);
  }

  // Builds an element. Text always goes in as text; "html" is for our own static SVG only.
  function h(tag, attrs, ...kids) {
    const el = D.createElement(tag);
    if (attrs) {
      for (const k in attrs) {
        const v = attrs[k];
        if (v == null || v === false) continue;
        if (k === "class") el.className = v;
        else if (k === "text") el.textContent = v;
        else if (k === "html") el.innerHTML = v;
        else if (k.slice(0, 2) === "on") el.addEventListener(k.slice(2), v);
        else el.setAttribute(k, v === true ? "" : String(v));
      }
    }
    for (const c of kids) if (c != null) el.append(c);
    return el;
  }

  const svg = (body, size) =>
    '<svg viewBox="0 0 24 24" width="' + (size || 24) + '" height="' + (size || 24) +
    '" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" ' +
    'stroke-linejoin="round" aria-hidden="true" focusable="false">' + body + "</svg>";
  const ICON_CHAT = svg('<path d="M21 11.5a8.4 8.4 0 0 1-9 8.4 9.3 9.3 0 0 1-3.9-.8L3 20.5l1.4-4.2A7.9 7.9 0 0 1 3 11.5 8.4 8.4 0 0 1 12 3a8.4 8.4 0 0 1 9 8.5z"/>', 28);
  const ICON_DOWN = svg('<path d="M6 9l6 6 6-6"/>', 28);
  const ICON_MIN = svg('<path d="M6 9l6 6 6-6"/>', 22);
  const ICON_SEND = svg('<path d="M5 12h13M13 6l6 6-6 6"/>', 20);

  function initials(name) {
    const parts = String(name || "").trim().split(/\s+/).filter(Boolean).slice(0, 2);
    return parts.map((p) => Array.from(p)[0]).join("").toUpperCase() || "?";
  }

  function safeImage(url) {
    if (typeof url !== "string" || !url) return null;
    if (/^data:image\//i.test(url)) return url;
    try {
      const u = new URL(url, base);
      return u.protocol === "https:" || u.protocol === "http:" ? u.href : null;
    } catch (e) {
      return null;
    }
  }

  function avatar(name, url, cls) {
    const wrap = h("span", { class: "avatar " + (cls || ""), "aria-hidden": "true" });
    const fallback = () => {
      wrap.textContent = initials(name);
      wrap.classList.add("avatar--initials");
    };
    const src = safeImage(url);
    if (src) {
      const img = h("img", { src, alt: "", decoding: "async", referrerpolicy: "no-referrer" });
      img.addEventListener("error", fallback, { once: true });
      wrap.append(img);
    } else {
      fallback();
    }
    return wrap;
  }

  const URL_RE = /\bhttps?:\/\/[^\s<>"]+/gi;
  // Text with http(s) links made clickable; every piece is a text node or an <a> built here.
  function linkify(el, text) {
    let at = 0;
    let m;
    URL_RE.lastIndex = 0;
    while ((m = URL_RE.exec(text))) {
      let url = m[0].replace(/[.,;:!?'"]+$/, "");
      if (url.endsWith(")") && url.indexOf("(") === -1) url = url.slice(0, -1);
      if (m.index > at) el.append(text.slice(at, m.index));
      let href = null;
      try {
        const u = new URL(url);
        if (u.protocol === "http:" || u.protocol === "https:") href = u.href;
      } catch (e) { /* not a URL after all */ }
      el.append(href
        ? h("a", { href, target: "_blank", rel: "noopener noreferrer nofollow", text: url })
        : url);
      at = m.index + url.length;
      URL_RE.lastIndex = at;
    }
    if (at < text.length) el.append(text.slice(at));
  }

  function timeEl(iso) {
    let d = iso ? new Date(iso) : new Date();
    if (isNaN(d.getTime())) d = new Date();
    let label;
    try {
      label = d.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
    } catch (e) {
      label = String(d.getHours()).padStart(2, "0") + ":" + String(d.getMinutes()).padStart(2, "0");
    }
    return h("time", { class: "msg__time", datetime: d.toISOString(), title: d.toLocaleString(), text: label });
  }

  const clip = (s, n) => (typeof s === "string" ? s.slice(0, n) : "");

  // ---------------------------------------------------------------- state
  let token = local.get("token");
  let config = null;
  let visitor = null;
  let visitorName = "";
  let chat = null; // {id, status, agent, queue}
  const seqs = {}; // chat id -> {last, ahead:Set, max, resuming, initial}
  const mine = new Map(); // client_msg_id -> own message {cid, body, chatId, start, pre, el, acked, failed, sentOn}
  let ws = null;
  let wsOpen = false;
  let everOpen = false;
  let connGen = 0;
  let attempt = 0;
  let retryTimer = 0;
  let pingTimer = 0;
  let openedAt = 0;
  let lastFrameAt = 0;
  let wanted = false;
  let reauthTried = false;
  let gaveUp = false;
  let wantClose = false;
  let isOpen = false;
  let unread = 0;
  let view = "prechat";
  let mounted = false;
  let pendingOpen = null;
  let typingActive = false;
  let typingSentAt = 0;
  let typingIdle = 0;
  let agentTypingTimer = 0;
  let agentTypingWho = null;

  const ui = {};

  function seqOf(id) {
    return seqs[id] || (seqs[id] = { last: 0, from: 0, ahead: new Set(), max: 0, resuming: false, initial: true });
  }
  const chatOpen = () => !!chat && chat.status !== "closed";

  // ---------------------------------------------------------------- session
  async function createSession(withToken) {
    const body = { site_key: siteKey };
    const saved = withToken && local.get("token");
    if (saved) body.visitor_token = saved;
    const res = await fetch(base + "/api/v1/widget/session", {
      method: "POST",
      mode: "cors",
      credentials: "omit",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
    });
    if (!res.ok) throw new Error("session refused (HTTP " + res.status + ")");
    const data = await res.json();
    if (!data || !data.visitor_token || !data.config) throw new Error("unexpected session answer");
    token = data.visitor_token;
    local.set("token", token);
    return data;
  }

  function applySession(data) {
    config = data.config;
    visitor = data.visitor || {};
    const profile = readProfile();
    visitorName = profile.name || visitor.name || visitorName;
  }

  function readProfile() {
    try {
      const p = JSON.parse(local.get("profile") || "{}");
      return p && typeof p === "object" ? p : {};
    } catch (e) {
      return {};
    }
  }

  // ---------------------------------------------------------------- socket
  function send(frame) {
    if (!wsOpen || !ws) return false;
    try {
      ws.send(JSON.stringify(frame));
      return true;
    } catch (e) {
      return false;
    }
  }

  function ensureSocket() {
    wanted = true;
    if (!ws && !retryTimer && !gaveUp) connect();
  }

  function connect() {
    clearTimeout(retryTimer);
    retryTimer = 0;
    if (ws || gaveUp) return;
    let sock;
    try {
      // The token travels as a subprotocol, never in the URL (URLs end up in logs).
      sock = new WebSocket(wsBase + "/ws/visitor", ["parley", "parley.auth." + (token || "none")]);
    } catch (e) {
      scheduleReconnect();
      return;
    }
    ws = sock;
    connGen++;
    // A connection attempt that neither opens nor fails (a black-holed network) is given up.
    const stuck = setTimeout(() => {
      if (ws === sock && !wsOpen) {
        dropSocket();
        scheduleReconnect();
      }
    }, CONNECT_TIMEOUT);
    sock.onopen = () => {
      clearTimeout(stuck);
      if (ws !== sock) return;
      wsOpen = true;
      everOpen = true;
      openedAt = lastFrameAt = Date.now();
      pingTimer = setInterval(ping, PING_MS);
      const pv = { type: "page.view", url: clip(location.href, 2000) };
      if (D.title) pv.title = clip(D.title, 500);
      if (D.referrer) pv.referrer = clip(D.referrer, 2000);
      send(pv);
      if (chatOpen()) resume(chat.id);
      renderStatus();
      flush();
    };
    sock.onmessage = (ev) => {
      if (ws !== sock) return;
      lastFrameAt = Date.now();
      reauthTried = false;
      let frame;
      try {
        frame = JSON.parse(ev.data);
      } catch (e) {
        return;
      }
      if (frame && typeof frame === "object") {
        try {
          handle(frame);
        } catch (e) {
          console.warn("[Parley] could not handle a frame", frame.type, e);
        }
      }
    };
    sock.onclose = (ev) => {
      if (ws !== sock) return;
      dropSocket();
      if (ev.code === 4401) reauth();
      else scheduleReconnect();
    };
    sock.onerror = () => { /* a close event follows */ };
  }

  function dropSocket() {
    const sock = ws;
    ws = null;
    wsOpen = false;
    clearInterval(pingTimer);
    pingTimer = 0;
    if (sock) {
      sock.onopen = sock.onmessage = sock.onclose = sock.onerror = null;
      try { sock.close(); } catch (e) { /* already closed */ }
    }
    if (openedAt && Date.now() - openedAt > 10000) attempt = 0;
    openedAt = 0;
    for (const id in seqs) seqs[id].resuming = false;
    typingActive = false;
    typingSentAt = 0;
    clearTimeout(typingIdle);
    hideAgentTyping();
    renderStatus();
  }

  function scheduleReconnect() {
    if (retryTimer || ws || gaveUp) return;
    const delay = Math.random() * Math.min(BACKOFF_CAP, BACKOFF_BASE * Math.pow(2, attempt));
    attempt = Math.min(attempt + 1, 16);
    retryTimer = setTimeout(() => {
      retryTimer = 0;
      connect();
    }, delay);
  }

  function reconnectNow() {
    if (!wanted || ws || gaveUp) return;
    clearTimeout(retryTimer);
    retryTimer = 0;
    attempt = 0;
    connect();
  }

  function ping() {
    if (!ws) return;
    if (Date.now() - lastFrameAt > DEAD_MS) {
      // No pong for two rounds: the connection is dead even if nobody told us.
      dropSocket();
      scheduleReconnect();
      return;
    }
    send({ type: "ping" });
  }

  // Close code 4401: our token is no good. Get a fresh identity once, then connect again.
  async function reauth() {
    if (reauthTried) {
      gaveUp = true;
      console.warn("[Parley] the chat server keeps refusing this visitor; chat is unavailable");
      renderStatus();
      return;
    }
    reauthTried = true;
    retryTimer = -1; // hold off other reconnects while we ask
    try {
      const data = await createSession(false);
      applySession(data);
      const active = data.config.active_chat;
      if (chat && (!active || active.id !== chat.id)) forgetChat();
      if (active && !chat) {
        setChat(active.id, active.status, active.agent);
        showView("chat");
      }
      renderHeader();
      retryTimer = 0;
      connect();
    } catch (e) {
      reauthTried = false;
      const delay = Math.random() * Math.min(BACKOFF_CAP, BACKOFF_BASE * Math.pow(2, attempt));
      attempt = Math.min(attempt + 1, 16);
      retryTimer = setTimeout(() => {
        retryTimer = 0;
        reauth();
      }, delay);
    }
  }

  function resume(id) {
    const s = seqOf(id);
    if (!wsOpen || s.resuming) return;
    s.resuming = true;
    s.from = s.last;
    send({ type: "resume", chat_id: id, after_seq: s.last });
  }

  // Sends whatever of ours has not reached the server on this connection yet.
  function flush() {
    if (!wsOpen) return;
    if (chat && seqOf(chat.id).resuming) return; // after resume.done: history first, then our news
    for (const p of mine.values()) {
      if (p.acked || p.failed || p.sentOn === connGen) continue;
      if (p.start) {
        if (chat) continue;
        const frame = { type: "chat.start", pre_chat: p.pre, message: p.body, client_msg_id: p.cid };
        if (send(frame)) p.sentOn = connGen;
      } else if (chatOpen() && p.chatId === chat.id) {
        const frame = { type: "message.send", chat_id: chat.id, client_msg_id: p.cid, body: p.body };
        if (p.attachmentIds) frame.attachment_ids = p.attachmentIds;
        if (send(frame)) p.sentOn = connGen;
      }
    }
    if (wantClose && chatOpen() && send({ type: "chat.close", chat_id: chat.id })) wantClose = false;
  }

  // ---------------------------------------------------------------- frames
  function handle(f) {
    const forChat = chat && f.chat_id === chat.id;
    switch (f.type) {
      case "hello": {
        const a = f.active_chat;
        if (a && a.id && (!chat || chat.id !== a.id)) {
          setChat(a.id, a.status, null);
          showView("chat");
        }
        break;
      }
      case "chat.started":
        if (f.chat_id) {
          setChat(f.chat_id, f.status, null);
          showView("chat");
        }
        break;
      case "chat.queued":
        if (forChat) {
          chat.status = "queued";
          chat.queue = { position: f.position, wait: f.estimated_wait_s, available: f.agents_available !== false };
          renderStatus();
        }
        break;
      case "chat.assigned":
        if (forChat) {
          chat.status = "active";
          chat.queue = null;
          if (f.agent) chat.agent = f.agent;
          renderHeader();
          renderStatus();
        }
        break;
      case "chat.transferred":
        if (forChat && f.agent) {
          chat.status = "active";
          chat.agent = f.agent;
          renderHeader();
          renderStatus();
        }
        break;
      case "chat.closed":
        if (forChat) onClosed();
        break;
      case "resync":
        // The server may have lost live deliveries (its broker was away): catch up by seq.
        if (chat) resume(chat.id);
        break;
      case "message.new":
        onMessage(f);
        break;
      case "message.ack":
        onAck(f);
        break;
      case "typing":
        if (forChat && f.author && f.author.type !== "visitor") {
          if (f.active) showAgentTyping(f.author);
          else hideAgentTyping();
        }
        break;
      case "resume.done":
        onResumeDone(f);
        break;
      case "error":
        onError(f);
        break;
      default:
        break; // pong, and whatever a newer server adds
    }
  }

  function setChat(id, status, agent) {
    if (chat && chat.id === id) {
      if (status) chat.status = status;
      if (agent) chat.agent = agent;
    } else {
      if (chat) clearList(true);
      chat = { id, status: status || "queued", agent: agent || null, queue: null };
      // Our first message (and anything typed before the chat existed) now belongs to it.
      // Not marked as sent here: if resume doesn't bring it back, flush sends it (same id).
      for (const p of mine.values()) {
        if (!p.acked && !p.failed && (p.start || !p.chatId)) {
          p.start = false;
          p.chatId = id;
          p.sentOn = 0;
        }
      }
      resume(id);
    }
    if (chat.status === "closed") onClosed();
    renderHeader();
    renderStatus();
    renderComposer();
  }

  function forgetChat() {
    chat = null;
    wantClose = false;
    clearList(false);
    hideAgentTyping();
    showView("prechat");
    renderHeader();
  }

  function onMessage(f) {
    const m = f.message;
    if (!m || !chat || f.chat_id !== chat.id || typeof m.seq !== "number") return;
    const s = seqOf(chat.id);
    const author = m.author || { type: "system" };
    const own = author.type === "visitor" && m.client_msg_id ? mine.get(m.client_msg_id) : null;
    if (m.seq <= s.last) {
      if (own && !own.acked) markSent(own, m.seq, m.created_at);
      return;
    }
    if (m.seq > s.last + 1) {
      // A gap: something went missing. Fetch it all in order instead of showing this one now.
      s.max = Math.max(s.max, m.seq);
      resume(chat.id);
      return;
    }
    s.last = m.seq;
    s.ahead.delete(m.seq);
    while (s.ahead.delete(s.last + 1)) s.last++;
    if (own) {
      markSent(own, m.seq, m.created_at);
    } else {
      insertMessage(messageEl(m));
    }
    if (author.type === "agent") {
      if (agentTypingWho && (agentTypingWho === author.id || agentTypingWho === author.name)) {
        hideAgentTyping();
      }
      if (!isOpen && !s.initial) {
        unread++;
        renderUnread();
      }
    }
  }

  function onAck(f) {
    const p = mine.get(f.client_msg_id);
    if (!p || typeof f.seq !== "number") return;
    if (f.chat_id && (!chat || chat.id !== f.chat_id)) {
      if (chat && chatOpen()) return;
      setChat(f.chat_id, null, null);
      showView("chat");
    }
    const s = seqOf(chat.id);
    if (f.seq === s.last + 1) {
      s.last = f.seq;
      while (s.ahead.delete(s.last + 1)) s.last++;
    } else if (f.seq > s.last) {
      // Ours got a number past what we have seen: the messages in between should be on their
      // way. If they do not turn up soon, ask for them.
      s.ahead.add(f.seq);
      s.max = Math.max(s.max, f.seq);
      const id = chat.id;
      setTimeout(() => {
        if (chat && chat.id === id && s.max > s.last) resume(id);
      }, 1500);
    }
    markSent(p, f.seq, null);
  }

  function onResumeDone(f) {
    if (!chat || f.chat_id !== chat.id) return;
    const s = seqOf(chat.id);
    s.resuming = false;
    if (f.more) {
      resume(chat.id); // a long chat arrives in pages
      return;
    }
    s.initial = false;
    if (typeof f.last_seq === "number") s.max = Math.max(s.max, f.last_seq);
    if (f.status === "closed") {
      onClosed();
      return;
    }
    if (f.status && f.status !== chat.status) {
      chat.status = f.status;
      renderStatus();
    }
    if (s.max > s.last && s.last > s.from) {
      resume(chat.id); // something arrived out of order meanwhile: fetch the rest
    } else {
      s.max = s.last; // nothing more to be had (never loop on a number the server won't give)
      flush();
    }
  }

  function onError(f) {
    const p = f.ref ? mine.get(f.ref) : null;
    if (p && !p.acked) {
      if (p.start && !chat) {
        // The server refused the pre-chat form (e.g. the e-mail): back to the form.
        p.el.remove();
        mine.delete(p.cid);
        showView("prechat");
        ui.msgInput.value = p.body;
        let text = "Sorry, that did not work. Please try again.";
        if (/email/i.test(f.message || "")) text = "Please check your e-mail address.";
        else if (f.code === "bad_request" && /department/i.test(f.message || "")) {
          text = f.message + " Please choose another topic.";
          renderDepartments();
        }
        showFormError(text);
        return;
      }
      markFailed(p);
      return;
    }
    if (!f.ref && chat && seqOf(chat.id).resuming && (f.code === "not_found" || f.code === "forbidden")) {
      // The chat we were showing is not ours (any more): start over.
      forgetChat();
      return;
    }
    console.warn("[Parley] server said:", f.code, f.message);
  }

  function onClosed() {
    if (!chat) return;
    chat.status = "closed";
    chat.queue = null;
    wantClose = false;
    hideAgentTyping();
    stopTyping();
    for (const p of mine.values()) if (!p.acked && !p.failed && p.chatId === chat.id) markFailed(p, true);
    renderHeader();
    renderStatus();
    renderComposer();
    toBottom();
  }

  // ---------------------------------------------------------------- messages
  function messageEl(m) {
    const author = m.author || {};
    const type = author.type === "visitor" || author.type === "agent" ? author.type : "system";
    const el = h("div", {
      class: "msg msg--" + type,
      "data-testid": "message",
      "data-author-type": type,
      "data-author-id": author.id || null,
      "data-seq": typeof m.seq === "number" ? m.seq : null,
    });
    if (type === "agent") el.append(avatar(author.name, author.avatar_url, "msg__avatar"));
    const col = h("div", { class: "msg__col" });
    if (type !== "system") {
      const name = author.name || (type === "agent" ? "Agent" : visitorName || "You");
      col.append(h("span", { class: "msg__author", "data-testid": "message-author", text: name }));
    }
    const body = h("div", { class: "msg__body", "data-testid": "message-body" });
    linkify(body, typeof m.body === "string" ? m.body : "");
    col.append(body);
    for (const a of m.attachments || []) col.append(attachmentEl(a));
    col.append(h("div", { class: "msg__meta" }, timeEl(m.created_at)));
    el.append(col);
    return el;
  }

  // A file in a message: images as a preview, other files as a download link. The address is
  // a short-lived signed link asked for with the token in a header: no token in any URL.
  function attachmentEl(a) {
    if (!a || !a.url || !a.id) return h("div", { class: "msg__file", text: (a && a.name) || "file" });
    const link = a.is_image
      ? h("a", { class: "msg__image", target: "_blank", rel: "noopener noreferrer" },
        h("img", { alt: a.name || "image", "data-testid": "attachment-image" }))
      : h("a", { class: "msg__file", target: "_blank", rel: "noopener noreferrer", "data-testid": "attachment-file", text: "\u2913 " + (a.name || "file") });
    let fetchedAt = 0;
    const refresh = async () => {
      const res = await fetch(base + "/api/v1/uploads/" + encodeURIComponent(a.id) + "/link", {
        method: "POST",
        headers: { Authorization: "Bearer " + token },
      });
      if (!res.ok) throw new Error("link refused");
      const url = base + (await res.json()).url;
      fetchedAt = Date.now();
      link.href = url;
      const img = link.querySelector("img");
      if (img && !img.src) img.src = url;
      return url;
    };
    refresh().catch(() => { /* shown without a link; a click asks again */ });
    link.addEventListener("click", async (ev) => {
      if (fetchedAt && Date.now() - fetchedAt < LINK_FRESH_MS) return;
      ev.preventDefault();
      try { W.open(await refresh(), "_blank", "noopener"); } catch (e) { showNotice((a.name || "file") + ": cannot be opened now"); }
    });
    return link;
  }

  // Files are uploaded first (checked by the server), then sent as a message of their own.
  async function sendFiles(files) {
    if (!chatOpen()) return;
    for (const file of files) {
      if (file.size > MAX_FILE) {
        showNotice(file.name + " is larger than 10 MB.");
        continue;
      }
      const form = new FormData();
      form.append("file", file);
      try {
        const res = await fetch(base + "/api/v1/uploads", {
          method: "POST",
          headers: { Authorization: "Bearer " + token },
          body: form,
        });
        const data = await res.json().catch(() => null);
        if (!res.ok) throw new Error((data && data.error && data.error.message) || "upload failed");
        const p = addOwn(data.name, chat.id, false, null, [data]);
        p.attachmentIds = [data.id];
        ensureSocket();
        flush();
      } catch (err) {
        showNotice(file.name + ": " + err.message);
      }
    }
  }

  function showNotice(text) {
    if (!ui.status) return;
    ui.status.textContent = text;
    setTimeout(renderStatus, 5000);
  }

  function nearBottom() {
    const sc = ui.scroll;
    return sc.scrollHeight - sc.scrollTop - sc.clientHeight < 80;
  }
  function toBottom() {
    ui.scroll.scrollTop = ui.scroll.scrollHeight;
  }

  // Messages with a number stay in number order; our unconfirmed ones wait at the end.
  function insertMessage(el, forceScroll) {
    const stick = forceScroll || nearBottom() || (chat && seqOf(chat.id).initial);
    const list = ui.list;
    const oldNext = el.parentNode === list ? el.nextElementSibling : null;
    if (el.parentNode) el.remove();
    let before = null;
    if (el.hasAttribute("data-seq")) {
      const seq = +el.getAttribute("data-seq");
      let c = list.lastElementChild;
      while (c && (!c.hasAttribute("data-seq") || +c.getAttribute("data-seq") > seq)) {
        before = c;
        c = c.previousElementSibling;
      }
    }
    list.insertBefore(el, before);
    regroup(oldNext);
    regroup(el);
    regroup(el.nextElementSibling);
    if (stick) toBottom();
  }

  // Consecutive messages of one author are grouped: name and avatar only on the first.
  function regroup(el) {
    if (!el) return;
    const prev = el.previousElementSibling;
    const type = el.getAttribute("data-author-type");
    const same = !!prev && type !== "system" &&
      prev.getAttribute("data-author-type") === type &&
      (type === "visitor" || prev.getAttribute("data-author-id") === el.getAttribute("data-author-id"));
    el.classList.toggle("msg--cont", same);
  }

  function addOwn(text, chatId, start, pre, attachments) {
    const cid = uuid();
    const el = messageEl({
      author: { type: "visitor", id: visitor && visitor.id, name: visitorName || "You" },
      body: text,
      attachments: attachments || [],
    });
    el.setAttribute("data-pending", "1");
    const state = h("span", { class: "msg__state", text: "Sending\u2026" });
    el.querySelector(".msg__meta").append(state);
    const p = { cid, body: text, chatId, start, pre, el, state, acked: false, failed: false, sentOn: 0 };
    mine.set(cid, p);
    insertMessage(el, true);
    return p;
  }

  function markSent(p, seq, createdAt) {
    p.acked = true;
    p.failed = false;
    p.el.removeAttribute("data-pending");
    p.el.removeAttribute("data-failed");
    p.el.setAttribute("data-seq", String(seq));
    p.state.textContent = "";
    if (createdAt) {
      const t = p.el.querySelector("time");
      if (t) t.replaceWith(timeEl(createdAt));
    }
    insertMessage(p.el);
  }

  function markFailed(p, final) {
    p.failed = true;
    p.el.setAttribute("data-failed", "1");
    p.state.textContent = "Not sent";
    if (!final) {
      p.state.append(" \u00b7 ", h("button", {
        type: "button",
        class: "msg__retry",
        "data-testid": "retry",
        text: "Retry",
        onclick: () => retry(p),
      }));
    }
  }

  function retry(p) {
    if (p.acked || !chatOpen()) return;
    p.failed = false;
    p.sentOn = 0;
    p.el.removeAttribute("data-failed");
    const refocus = ui.shadow.activeElement && p.state.contains(ui.shadow.activeElement);
    p.state.textContent = "Sending\u2026";
    if (refocus) ui.composer.focus();
    ensureSocket();
    flush();
  }

  function clearList(keepUnsent) {
    for (const [cid, p] of mine) {
      if (!(keepUnsent && !p.acked && !p.failed)) mine.delete(cid);
    }
    for (const el of Array.from(ui.list.children)) {
      if (!(keepUnsent && el.getAttribute("data-pending") === "1")) el.remove();
    }
  }

  // ---------------------------------------------------------------- typing
  function onComposerInput() {
    autosize();
    if (!chatOpen() || !wsOpen) return;
    if (!ui.composer.value.trim()) {
      stopTyping();
      return;
    }
    const now = Date.now();
    if (now - typingSentAt >= TYPING_THROTTLE) {
      if (send({ type: "typing", chat_id: chat.id, active: true })) {
        typingSentAt = now;
        typingActive = true;
      }
    }
    clearTimeout(typingIdle);
    typingIdle = setTimeout(stopTyping, TYPING_IDLE);
  }

  function stopTyping() {
    clearTimeout(typingIdle);
    if (typingActive && chat) send({ type: "typing", chat_id: chat.id, active: false });
    typingActive = false;
    typingSentAt = 0;
  }

  function showAgentTyping(author) {
    const name = author.name || "Your agent";
    agentTypingWho = author.id || author.name || null;
    const stick = nearBottom();
    ui.typingText.textContent = name + " is typing\u2026";
    ui.typing.hidden = false;
    if (stick) toBottom();
    clearTimeout(agentTypingTimer);
    agentTypingTimer = setTimeout(hideAgentTyping, TYPING_SHOW);
  }

  function hideAgentTyping() {
    clearTimeout(agentTypingTimer);
    agentTypingWho = null;
    if (ui.typing) ui.typing.hidden = true;
  }

  // ---------------------------------------------------------------- actions
  function sendComposer() {
    const text = ui.composer.value.trim();
    if (!text || (chat && chat.status === "closed")) return;
    if (text.length > MAX_BODY) {
      ui.composer.setCustomValidity("Please keep a message under " + MAX_BODY + " characters.");
      ui.composer.reportValidity();
      return;
    }
    ui.composer.value = "";
    autosize();
    stopTyping();
    addOwn(text, chat ? chat.id : null, false, null);
    ensureSocket();
    flush();
  }

  function startChat(e) {
    e.preventDefault();
    const name = ui.nameInput.value.trim();
    const email = ui.emailInput.value.trim();
    const text = ui.msgInput.value.trim();
    let bad = null;
    let msg = "";
    if (!text) [bad, msg] = [ui.msgInput, "Please write your question."];
    if (email && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) [bad, msg] = [ui.emailInput, "Please check your e-mail address."];
    if (!name) [bad, msg] = [ui.nameInput, "Please tell us your name."];
    for (const i of [ui.nameInput, ui.emailInput, ui.msgInput]) i.removeAttribute("aria-invalid");
    if (bad) {
      bad.setAttribute("aria-invalid", "true");
      showFormError(msg);
      bad.focus();
      return;
    }
    if (text.length > MAX_BODY) {
      showFormError("Please keep your question under " + MAX_BODY + " characters.");
      return;
    }
    showFormError("");
    local.set("profile", JSON.stringify({ name, email }));
    visitorName = name;
    const pre = { name };
    if (email) pre.email = email;
    const department = chosenDepartment();
    if (department) pre.department = department;
    if (chat) forgetChat();
    clearList(false);
    ui.msgInput.value = "";
    showView("chat");
    addOwn(text, null, true, pre);
    renderStatus();
    ensureSocket();
    flush();
    ui.composer.focus();
  }

  function endChat() {
    if (!chatOpen()) return;
    ui.endChat.disabled = true;
    wantClose = true;
    ensureSocket();
    flush();
  }

  function newChat() {
    forgetChat();
    prefill();
    focusFirst();
  }

  function showFormError(text) {
    ui.formError.textContent = text;
    ui.formError.hidden = !text;
  }

  // ---------------------------------------------------------------- rendering
  function renderHeader() {
    if (!ui.panel) return;
    const site = (config && config.site && config.site.name) || "Chat";
    const agent = chat && chat.agent;
    ui.hdrAvatar.textContent = "";
    if (agent && agent.name) {
      ui.hdrAvatar.append(avatar(agent.name, agent.avatar_url, "avatar--lg"));
      ui.hdrAvatar.hidden = false;
      ui.siteName.hidden = true;
      ui.agentName.hidden = false;
      ui.agentName.textContent = agent.name;
      ui.hdrSub.textContent = site;
    } else {
      ui.hdrAvatar.hidden = true;
      ui.siteName.hidden = false;
      ui.agentName.hidden = true;
      ui.agentName.textContent = "";
      ui.hdrSub.textContent = (config && config.greeting) || "";
    }
    ui.hdrSub.hidden = !ui.hdrSub.textContent;
    ui.siteName.textContent = site;
    ui.panel.setAttribute("aria-label", "Chat with " + site);
    ui.endChat.hidden = !(view === "chat" && chatOpen());
    ui.endChat.disabled = wantClose;
  }

  function queueText(q) {
    const wait = Number(q.wait);
    const about = !isFinite(wait) || wait < 60
      ? "less than a minute"
      : "about " + Math.max(1, Math.round(wait / 60)) + " min";
    return "You are number " + q.position + " in the queue \u2014 " + about;
  }

  function renderStatus() {
    if (!ui.status) return;
    let text;
    if (chat && chat.status === "closed") text = "This chat has ended";
    else if (gaveUp) text = "Chat is unavailable right now";
    else if (!wsOpen) text = everOpen ? "Reconnecting\u2026" : "Connecting\u2026";
    else if (chat && chat.agent && chat.status === "active") text = chat.agent.name + " is here to help";
    else if (chat && chat.queue && chat.queue.available === false)
      text = "Nobody who can answer this is online right now. Leave your message; we'll reply as soon as someone is back.";
    else if (chat && chat.queue && chat.queue.position) text = queueText(chat.queue);
    else if (config && config.agents_online === false) text = "We'll answer as soon as someone is available";
    else text = "Waiting for someone to answer\u2026";
    if (ui.status.textContent !== text) ui.status.textContent = text;
    ui.status.classList.toggle("status--down", !wsOpen && !(chat && chat.status === "closed"));
  }

  function renderComposer() {
    if (!ui.composer) return;
    const closed = !!chat && chat.status === "closed";
    ui.composer.disabled = closed;
    ui.send.disabled = closed;
    if (ui.attach) ui.attach.disabled = closed;
    ui.composer.placeholder = closed ? "This chat has ended" : "Write a message\u2026";
    ui.ended.hidden = !closed;
    ui.endChat.hidden = !(view === "chat" && chatOpen());
  }

  function renderUnread() {
    ui.unread.textContent = unread > 9 ? "9+" : String(unread);
    ui.unread.hidden = unread === 0;
    ui.bubble.setAttribute("aria-label", "Chat with us");
    ui.bubble.title = unread ? unread + " new message" + (unread > 1 ? "s" : "") : "Chat with us";
  }

  function showView(name) {
    view = name;
    ui.prechat.hidden = name !== "prechat";
    ui.chatView.hidden = name !== "chat";
    if (name === "prechat") {
      prefill();
      renderAvailability();
      renderDepartments();
    }
    renderHeader();
    renderStatus();
    renderComposer();
  }

  function prefill() {
    const p = readProfile();
    if (!ui.nameInput.value) ui.nameInput.value = p.name || (visitor && visitor.name) || "";
    if (!ui.emailInput.value) ui.emailInput.value = p.email || (visitor && visitor.email) || "";
  }

  function departments() {
    const list = config && Array.isArray(config.departments) ? config.departments : [];
    return list.filter((d) => d && typeof d.value === "string" && d.value);
  }

  // More than one department: the visitor picks (or leaves it to the site's default); one: it
  // is simply used; none: the field is hidden.
  function renderDepartments() {
    const list = departments();
    const chosen = ui.deptSelect.value;
    ui.deptSelect.textContent = "";
    ui.deptSelect.append(h("option", { value: "", text: "Choose a topic (optional)" }));
    for (const d of list) ui.deptSelect.append(h("option", { value: d.value, text: clip(d.label || d.value, 64) }));
    if (list.some((d) => d.value === chosen)) ui.deptSelect.value = chosen;
    ui.deptField.hidden = list.length < 2;
  }

  function chosenDepartment() {
    const list = departments();
    if (list.length === 1) return list[0].value;
    return list.length > 1 ? ui.deptSelect.value : "";
  }

  function renderAvailability() {
    const online = !config || config.agents_online !== false;
    ui.avail.classList.toggle("avail--off", !online);
    ui.availText.textContent = online
      ? "We're online and will reply right here."
      : "We'll answer as soon as someone is available";
  }

  function autosize() {
    const c = ui.composer;
    c.setCustomValidity("");
    c.style.height = "auto";
    c.style.height = Math.min(c.scrollHeight, 120) + "px";
  }

  function focusFirst() {
    if (view === "chat") {
      if (!ui.composer.disabled) ui.composer.focus();
      else ui.newChat.focus();
    } else if (!ui.nameInput.value) {
      ui.nameInput.focus();
    } else {
      ui.msgInput.focus();
    }
  }

  function open() {
    if (!mounted) {
      pendingOpen = true;
      return;
    }
    if (isOpen) return;
    isOpen = true;
    ui.panel.hidden = false;
    ui.root.classList.add("is-open");
    ui.bubble.setAttribute("aria-expanded", "true");
    ui.bubbleIcon.innerHTML = ICON_DOWN;
    unread = 0;
    renderUnread();
    tab.set("open", "1");
    ensureSocket();
    toBottom();
    focusFirst();
  }

  function close() {
    if (!mounted) {
      pendingOpen = false;
      return;
    }
    if (!isOpen) return;
    const hadFocus = ui.panel.contains(ui.shadow.activeElement);
    isOpen = false;
    ui.panel.hidden = true;
    ui.root.classList.remove("is-open");
    ui.bubble.setAttribute("aria-expanded", "false");
    ui.bubbleIcon.innerHTML = ICON_CHAT;
    tab.set("open", null);
    if (hadFocus) ui.bubble.focus();
  }

  function applyTheme() {
    let color = colorOverride || (config.theme && config.theme.color) || DEFAULT_COLOR;
    if (!(W.CSS && W.CSS.supports && W.CSS.supports("color", color))) color = DEFAULT_COLOR;
    const st = ui.root.style;
    st.setProperty("--parley-color", color);
    // Readable text on the shop's colour: white unless the colour is light.
    ui.probe.style.color = color;
    const rgb = (getComputedStyle(ui.probe).color.match(/[\d.]+/g) || [15, 118, 110]).slice(0, 3).map(Number);
    const lin = rgb.map((v) => {
      v /= 255;
      return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
    });
    const lum = 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2];
    st.setProperty("--parley-rgb", rgb.join(","));
    st.setProperty("--parley-on-color", 1.05 / (lum + 0.05) < 3 ? "#111827" : "#ffffff");
  }

  // ---------------------------------------------------------------- building the DOM
  function mount(data) {
    applySession(data);
    const host = h("div", { id: "parley-widget" });
    const hs = host.style;
    // Inline and !important: the shop's own stylesheets cannot move or restyle the host.
    for (const [p, v] of [["position", "fixed"], ["right", "20px"], ["bottom", "20px"], ["left", "auto"],
      ["top", "auto"], ["z-index", "2147483000"], ["display", "block"], ["margin", "0"], ["padding", "0"],
      ["width", "auto"], ["height", "auto"], ["min-width", "0"], ["min-height", "0"], ["border", "0"],
      ["background", "none"], ["box-shadow", "none"], ["outline", "0"], ["opacity", "1"],
      ["visibility", "visible"], ["transform", "none"], ["filter", "none"], ["float", "none"],
      ["clip-path", "none"], ["contain", "none"], ["overflow", "visible"]]) hs.setProperty(p, v, "important");
    const shadow = host.attachShadow({ mode: "open" });
    ui.shadow = shadow;
    shadow.append(h("style", { text: CSS }));

    ui.probe = h("span", { class: "probe", "aria-hidden": "true" });
    ui.bubbleIcon = h("span", { class: "bubble__icon", html: ICON_CHAT });
    ui.unread = h("span", { class: "badge", "data-testid": "unread", hidden: true, "aria-hidden": "true" });
    ui.bubble = h("button", {
      type: "button",
      class: "bubble",
      "data-testid": "parley-bubble",
      "aria-label": "Chat with us",
      "aria-expanded": "false",
      "aria-controls": "parley-panel",
      onclick: () => (isOpen ? close() : open()),
    }, ui.bubbleIcon, ui.unread);

    // header
    ui.hdrAvatar = h("span", { class: "hdr__avatar", hidden: true });
    ui.siteName = h("span", { class: "hdr__title" });
    ui.agentName = h("span", { class: "hdr__title", "data-testid": "agent-name", hidden: true });
    ui.hdrSub = h("span", { class: "hdr__sub" });
    ui.endChat = h("button", { type: "button", class: "hdr__end", "data-testid": "end-chat", text: "End chat", hidden: true, onclick: endChat });
    const minimise = h("button", { type: "button", class: "hdr__btn", "aria-label": "Minimise chat", title: "Minimise", html: ICON_MIN, onclick: close });
    const header = h("div", { class: "hdr" },
      ui.hdrAvatar,
      h("div", { class: "hdr__text" }, ui.siteName, ui.agentName, ui.hdrSub),
      h("div", { class: "hdr__actions" }, ui.endChat, minimise));

    // pre-chat form
    const profile = readProfile();
    const field = (label, id, input) => h("div", { class: "field" }, h("label", { for: id, text: label }), input);
    ui.nameInput = h("input", { id: "parley-name", type: "text", name: "name", required: true, maxlength: 100, autocomplete: "name", "data-testid": "prechat-name" });
    ui.emailInput = h("input", { id: "parley-email", type: "email", name: "email", maxlength: 254, autocomplete: "email", "data-testid": "prechat-email" });
    ui.msgInput = h("textarea", { id: "parley-message", name: "message", required: true, rows: 3, maxlength: MAX_BODY, "data-testid": "prechat-message" });
    // The site's departments: offered as a choice when there is more than one (see renderDepartments).
    ui.deptSelect = h("select", { id: "parley-department", name: "department", "data-testid": "prechat-department" });
    ui.deptField = field("What is it about?", "parley-department", ui.deptSelect);
    for (const i of [ui.nameInput, ui.emailInput, ui.msgInput]) {
      i.addEventListener("input", () => i.removeAttribute("aria-invalid"));
    }
    ui.availText = h("span");
    ui.avail = h("p", { class: "avail" }, h("span", { class: "avail__dot", "aria-hidden": "true" }), ui.availText);
    ui.formError = h("p", { class: "form-error", role: "alert", hidden: true });
    ui.prechat = h("form", { class: "prechat", novalidate: true, "data-testid": "prechat", onsubmit: startChat },
      ui.avail,
      field("Your name", "parley-name", ui.nameInput),
      field("E-mail (optional)", "parley-email", ui.emailInput),
      ui.deptField,
      field("How can we help?", "parley-message", ui.msgInput),
      ui.formError,
      h("button", { type: "submit", class: "btn btn--primary", "data-testid": "prechat-submit", text: "Start chat" }));
    ui.nameInput.value = profile.name || visitor.name || "";
    ui.emailInput.value = profile.email || visitor.email || "";

    // chat view
    ui.status = h("div", { class: "status", role: "status", "data-testid": "status" });
    ui.list = h("div", { class: "messages", role: "log", "aria-live": "polite", "aria-label": "Messages", "data-testid": "messages" });
    ui.typingText = h("span", { class: "typing__text" });
    ui.typing = h("div", { class: "typing", "data-testid": "typing", hidden: true },
      h("span", { class: "typing__dots", "aria-hidden": "true" }, h("i"), h("i"), h("i")), ui.typingText);
    ui.scroll = h("div", { class: "scroll" }, ui.list, ui.typing);
    ui.newChat = h("button", { type: "button", class: "btn btn--ghost", "data-testid": "new-chat", text: "Start a new chat", onclick: newChat });
    ui.ended = h("div", { class: "ended", hidden: true }, ui.newChat);
    ui.composer = h("textarea", {
      class: "composer__input",
      rows: 1,
      maxlength: MAX_BODY,
      placeholder: "Write a message\u2026",
      "aria-label": "Write a message",
      "data-testid": "composer",
      oninput: onComposerInput,
      onkeydown: (e) => {
        if (e.key === "Enter" && !e.shiftKey && !e.isComposing && e.keyCode !== 229) {
          e.preventDefault();
          sendComposer();
        }
      },
    });
    ui.send = h("button", { type: "button", class: "composer__send", "aria-label": "Send", title: "Send", "data-testid": "send", html: ICON_SEND, onclick: sendComposer });
    ui.fileInput = h("input", {
      type: "file",
      hidden: true,
      "data-testid": "file-input",
      accept: "image/*,application/pdf,text/plain,.doc,.docx,.xls,.xlsx,.ppt,.pptx,.odt,.ods",
      onchange: () => {
        const files = Array.from(ui.fileInput.files || []);
        ui.fileInput.value = "";
        sendFiles(files);
      },
    });
    ui.attach = h("button", { type: "button", class: "composer__attach", "aria-label": "Send a file", title: "Send a file (images, PDF, documents; up to 10 MB)", "data-testid": "attach", html: ICON_CLIP, onclick: () => ui.fileInput.click() });
    ui.chatView = h("div", { class: "chat", hidden: true },
      ui.status, ui.scroll, ui.ended, h("div", { class: "composer" }, ui.attach, ui.fileInput, ui.composer, ui.send));

    ui.panel = h("div", {
      id: "parley-panel",
      class: "panel",
      role: "dialog",
      "aria-label": "Chat",
      "data-testid": "parley-panel",
      hidden: true,
    }, header, h("div", { class: "body" }, ui.prechat, ui.chatView), h("div", { class: "foot", text: "Powered by Parley" }));

    ui.root = h("div", {
      class: "root",
      onkeydown: (e) => {
        if (e.key === "Escape" && isOpen) {
          e.stopPropagation();
          close();
          ui.bubble.focus();
        }
      },
    }, ui.panel, ui.bubble, ui.probe);
    shadow.append(ui.root);
    D.body.appendChild(host);
    applyTheme();
    mounted = true;

    const active = config.active_chat;
    if (active && active.id) {
      setChat(active.id, active.status, active.agent);
      showView("chat");
      ensureSocket();
    } else {
      showView("prechat");
    }
    renderUnread();
    if (pendingOpen || (pendingOpen === null && active && tab.get("open") === "1")) open();

    W.addEventListener("online", reconnectNow);
    D.addEventListener("visibilitychange", () => {
      if (D.visibilityState === "visible") reconnectNow();
    });
  }

  // ---------------------------------------------------------------- public API and start
  const api = W.Parley && typeof W.Parley === "object" ? W.Parley : (W.Parley = {});
  api.version = "1";
  api.open = open;
  api.close = close;
  api.toggle = () => (isOpen ? close() : open());

  const domReady = new Promise((resolve) => {
    if (D.readyState === "loading") D.addEventListener("DOMContentLoaded", resolve, { once: true });
    else resolve();
  });

  Promise.all([createSession(true), domReady])
    .then(([data]) => {
      try {
        mount(data);
      } catch (e) {
        const host = D.getElementById("parley-widget");
        if (host) host.remove();
        mounted = false;
        throw e;
      }
    })
    .catch((e) => console.warn("[Parley] chat widget not shown:", (e && e.message) || e));
})();
