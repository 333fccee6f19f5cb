// The console's connection to Parley: one agent socket, reconnecting with backoff and jitter,
// and per-chat sequence tracking so every message is shown once, in order, after any drop.

export const TOKEN_KEY = "parley:console:token";

export function uuid() {
  if (crypto.randomUUID) return crypto.randomUUID();
  return "xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx".replace(/[xy]/g, (c) => {
    const r = (Math.random() * 16) | 0;
    return (c === "x" ? r : (r & 0x3) | 0x8).toString(16);
  });
}

// Signed file links live 300 s on the server; one older than this is asked for again.
const LINK_FRESH_MS = 240000;

// Points `link` (and an <img> inside it) at a short-lived signed address of an upload, asked for
// with the token in a header, so no token ever sits in a URL or the browser's history.
export function signLink(link, attachmentId, token) {
  let fetchedAt = 0;
  const refresh = async () => {
    const out = await api(`/uploads/${encodeURIComponent(attachmentId)}/link`, { method: "POST", token });
    fetchedAt = Date.now();
    link.href = out.url;
    const img = link.querySelector("img");
    if (img && !img.getAttribute("src")) img.src = out.url;
    return out.url;
  };
  refresh().catch(() => {});
  link.addEventListener("click", async (ev) => {
    if (fetchedAt && Date.now() - fetchedAt < LINK_FRESH_MS) return;
    ev.preventDefault();
    window.open(await refresh(), "_blank", "noopener");
  });
  return link;
}

export async function api(path, { method = "GET", body, token, form } = {}) {
  const headers = {};
  if (token) headers.Authorization = "Bearer " + token;
  let payload;
  if (form) payload = form;
  else if (body !== undefined) {
    headers["Content-Type"] = "application/json";
    payload = JSON.stringify(body);
  }
  const res = await fetch("/api/v1" + path, { method, headers, body: payload });
  const data = res.status === 204 ? null : await res.json().catch(() => null);
  if (!res.ok) {
    const err = new Error((data && data.error && data.error.message) || res.statusText);
    err.status = res.status;
    err.code = data && data.error && data.error.code;
    throw err;
  }
  return data;
}

// Events: open, close(code), frame(frame), message(chatId, message), gap
export class AgentSocket extends EventTarget {
  constructor(token, query = "") {
    super();
    this.token = token;
    this.query = query;
    this.ws = null;
    this.attempt = 0;
    this.lastSeq = new Map(); // chat id -> highest seq shown
    this.resuming = new Set();
    this.outbox = new Map(); // client_msg_id -> frame, until acked
    this.stopped = false;
    this.pingTimer = 0;
  }

  connect() {
    if (this.stopped) return;
    const proto = location.protocol === "https:" ? "wss:" : "ws:";
    // The newest token (a password change replaces it); sent as a subprotocol, never in the URL.
    this.token = localStorage.getItem(TOKEN_KEY) || this.token;
    const query = this.query.replace(/^&/, "?");
    const ws = new WebSocket(`${proto}//${location.host}/ws/agent${query}`, ["parley", `parley.auth.${this.token}`]);
    this.ws = ws;
    ws.onopen = () => {
      this.attempt = 0;
      clearInterval(this.pingTimer);
      this.pingTimer = setInterval(() => this.send({ type: "ping" }), 25000);
      this.emit("open");
    };
    ws.onmessage = (ev) => {
      let frame;
      try {
        frame = JSON.parse(ev.data);
      } catch {
        return;
      }
      this.handle(frame);
    };
    ws.onclose = (ev) => {
      clearInterval(this.pingTimer);
      this.resuming.clear();
      this.emit("close", ev.code);
      if (ev.code === 4401 || this.stopped) return;
      // Exponential backoff with full jitter: a restarted server is not hit by every console at once.
      const cap = Math.min(15000, 500 * 2 ** this.attempt++);
      setTimeout(() => this.connect(), Math.random() * cap);
    };
  }

  stop() {
    this.stopped = true;
    if (this.ws) this.ws.close();
  }

  get open() {
    return this.ws && this.ws.readyState === WebSocket.OPEN;
  }

  send(frame) {
    if (!this.open) return false;
    this.ws.send(JSON.stringify(frame));
    return true;
  }

  // A message is kept until acknowledged and re-sent after a reconnect (same id: stored once).
  sendMessage(chatId, body, kind = "public", attachmentIds = []) {
    const frame = { type: "message.send", chat_id: chatId, client_msg_id: uuid(), body, kind };
    if (attachmentIds.length) frame.attachment_ids = attachmentIds;
    this.outbox.set(frame.client_msg_id, frame);
    this.send(frame);
    return frame;
  }

  resume(chatId) {
    if (this.resuming.has(chatId)) return;
    this.resuming.add(chatId);
    this.send({ type: "resume", chat_id: chatId, after_seq: this.lastSeq.get(chatId) || 0 });
  }

  flushOutbox() {
    for (const frame of this.outbox.values()) this.send(frame);
  }

  handle(frame) {
    switch (frame.type) {
      case "message.new": {
        const last = this.lastSeq.get(frame.chat_id) || 0;
        const seq = frame.message.seq;
        if (seq <= last) return; // already shown
        if (seq > last + 1 && !this.resuming.has(frame.chat_id)) {
          this.resume(frame.chat_id); // a gap: fetch what is missing, in order
          return;
        }
        if (seq > last + 1) return; // the running resume will bring it
        this.lastSeq.set(frame.chat_id, seq);
        this.outbox.delete(frame.message.client_msg_id);
        this.emit("message", frame);
        return;
      }
      case "message.ack":
        this.outbox.delete(frame.client_msg_id);
        break;
      case "resume.done":
        this.resuming.delete(frame.chat_id);
        if (frame.more || (this.lastSeq.get(frame.chat_id) || 0) < frame.last_seq) this.resume(frame.chat_id);
        break;
      case "resync":
        for (const id of this.lastSeq.keys()) this.resume(id);
        break;
      default:
        break;
    }
    this.emit("frame", frame);
  }

  track(chatId) {
    if (!this.lastSeq.has(chatId)) this.lastSeq.set(chatId, 0);
    this.resume(chatId);
  }

  forget(chatId) {
    this.lastSeq.delete(chatId);
    this.resuming.delete(chatId);
  }

  emit(type, detail) {
    this.dispatchEvent(new CustomEvent(type, { detail }));
  }
}

export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === "class") node.className = v;
    else if (k === "dataset") Object.assign(node.dataset, v);
    else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else if (v === true) node.setAttribute(k, "");
    else node.setAttribute(k, v);
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return node;
}

export function ago(iso) {
  if (!iso) return "";
  const s = Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 1000));
  if (s < 60) return s + " s";
  if (s < 3600) return Math.floor(s / 60) + " min";
  return Math.floor(s / 3600) + " h " + (Math.floor(s / 60) % 60) + " min";
}

export function clock(iso) {
  return new Date(iso).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
}
