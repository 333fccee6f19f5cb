// The console's connection to Parley: one agent socket (the shared client's ParleySocket:
// back-off with jitter, per-chat seq tracking, outbox) as DOM events, plus the REST helpers.

import { ParleySocket, el, uuid } from "./parley-protocol.js";

export { el, uuid };

export const TOKEN_KEY = "parley:console:token";

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
    const detail = (data && data.error) || {};
    const err = new Error(detail.message || res.statusText);
    err.status = res.status;
    err.code = detail.code;
    // The body field the server named, dotted ("admin.email"), for forms that show it there.
    err.field = detail.field || null;
    throw err;
  }
  return data;
}

// Events: open, close(code), frame(frame), message(frame). Connection upkeep, seq tracking and
// the outbox are the shared client's (client/src, served here as parley-protocol.js).
export class AgentSocket extends EventTarget {
  constructor(token, query = "") {
    super();
    this.token = token;
    this.query = query;
    this.client = new ParleySocket({
      url: () => {
        const proto = location.protocol === "https:" ? "wss:" : "ws:";
        return `${proto}//${location.host}/ws/agent${this.query.replace(/^&/, "?")}`;
      },
      // The newest token (a password change replaces it); sent as a subprotocol, never in the URL.
      token: () => (this.token = localStorage.getItem(TOKEN_KEY) || this.token),
      maxAttempt: Infinity,
      hooks: {
        onOpen: () => this.emit("open"),
        onClose: (code) => this.emit("close", code),
        onFrame: (frame) => {
          if (frame.type === "message.ack") this.outbox.delete(frame.client_msg_id);
          this.emit("frame", frame);
        },
        onMessage: (frame, verdict) => {
          if (verdict !== "next") return; // shown already, or a resume brings it in order
          this.outbox.delete(frame.message.client_msg_id);
          this.emit("message", frame);
        },
      },
    });
  }

  connect() {
    this.client.connect();
  }

  stop() {
    this.client.stop();
  }

  get open() {
    return this.client.open;
  }

  get outbox() {
    return this.client.outbox;
  }

  send(frame) {
    return this.client.send(frame);
  }

  // A message is kept until acknowledged and re-sent after a reconnect (same id: stored once).
  sendMessage(chatId, body, kind = "public", attachmentIds = []) {
    const frame = { type: "message.send", chat_id: chatId, client_msg_id: uuid(), body, kind };
    if (attachmentIds.length) frame.attachment_ids = attachmentIds;
    const entry = this.outbox.add({ cid: frame.client_msg_id, frame, acked: false, failed: false, sentOn: 0 });
    this.client.flushOutbox((e) => (e === entry ? e.frame : null));
    return frame;
  }

  flushOutbox() {
    this.client.flushOutbox();
  }

  isResuming(chatId) {
    return this.client.seq.isResuming(chatId);
  }

  track(chatId) {
    this.client.track(chatId);
  }

  forget(chatId) {
    this.client.forget(chatId);
  }

  emit(type, detail) {
    this.dispatchEvent(new CustomEvent(type, { detail }));
  }
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
