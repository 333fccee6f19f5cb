// @ts-check
/** The visitor socket, through the shared client: connect, keep alive, re-authenticate once on
 * 4401, and send our queued messages after history (flush). Frames go to chat.js. */
import { ParleySocket } from "../../client/src/index.js";
import { forgetChat, handle, onClosed, onMessage, setChat } from "./chat.js";
import { applySession, createSession } from "./session.js";
import { S, chatOpen } from "./state.js";
import { hideAgentTyping, resetTyping } from "./views/chat.js";
import { renderHeader, renderStatus, showView } from "./views/status.js";

/** @param {string | undefined} s @param {number} n */
const clip = (s, n) => (typeof s === "string" ? s.slice(0, n) : "");

/** @type {ParleySocket} */
export let socket = /** @type {any} */ (null);

export function initSocket() {
  socket = new ParleySocket({
    url: () => S.wsBase + "/ws/visitor",
    token: () => S.token || "none",
    pingMs: 25000,
    deadMs: 60000, // no pong for two rounds: dead even if nobody told us
    connectTimeoutMs: 15000, // a black-holed network: neither opens nor fails
    stableMs: 10000,
    maxAttempt: 16,
    hooks: {
      onOpen,
      onClose: () => {
        resetTyping();
        hideAgentTyping();
        renderStatus();
      },
      onUnauthorized: () => {
        reauth();
      },
      onFrame: (f) => guard(f, () => handle(f)),
      onMessage: (f, verdict) => guard(f, () => onMessage(f, verdict)),
      onResumeDone,
      onCaughtUp: () => flush(),
    },
  });
}

/** @param {any} f @param {() => void} fn */
function guard(f, fn) {
  S.reauthTried = false; // the server talks to us: our token is good
  try {
    fn();
  } catch (e) {
    console.warn("[Parley] could not handle a frame", f.type, e);
  }
}

function onOpen() {
  /** @type {Record<string, string>} */
  const pv = { type: "page.view", url: clip(location.href, 2000) };
  if (document.title) pv.title = clip(document.title, 500);
  if (document.referrer) pv.referrer = clip(document.referrer, 2000);
  send(pv);
  if (S.chat && chatOpen()) socket.resume(S.chat.id);
  renderStatus();
  flush();
}

/** @param {any} f @returns {boolean} false: stop here (the chat has ended) */
function onResumeDone(f) {
  const chat = S.chat;
  if (!chat || f.chat_id !== chat.id) return false;
  if (f.status === "closed") {
    onClosed();
    return false;
  }
  if (f.status && f.status !== chat.status) {
    chat.status = f.status;
    renderStatus();
  }
  return true;
}

/** @param {object} frame */
export function send(frame) {
  return socket.send(frame);
}

export function ensureSocket() {
  if (!S.gaveUp) socket.ensure();
}

export function reconnectNow() {
  if (!S.gaveUp) socket.reconnectNow();
}

/** Close code 4401: our token is no good. Get a fresh identity once, then connect again. */
async function reauth() {
  if (S.reauthTried) {
    S.gaveUp = true;
    socket.stop();
    console.warn("[Parley] the chat server keeps refusing this visitor; chat is unavailable");
    renderStatus();
    return;
  }
  S.reauthTried = true;
  try {
    const data = await createSession(false);
    applySession(data);
    const active = data.config.active_chat;
    if (S.chat && (!active || active.id !== S.chat.id)) forgetChat();
    if (active && !S.chat) {
      setChat(active.id, active.status, active.agent);
      showView("chat");
    }
    renderHeader();
    socket.connect();
  } catch {
    S.reauthTried = false;
    setTimeout(reauth, socket.nextDelay());
  }
}

/** Sends whatever of ours has not reached the server on this connection yet. */
export function flush() {
  if (!socket.open) return;
  const chat = S.chat;
  if (chat && socket.seq.isResuming(chat.id)) return; // after resume.done: history first, then our news
  socket.flushOutbox((p) => {
    if (p.start) {
      return chat ? null : { type: "chat.start", pre_chat: p.pre, message: p.body, client_msg_id: p.cid };
    }
    if (!chat || !chatOpen() || p.chatId !== chat.id) return null;
    /** @type {Record<string, any>} */
    const frame = { type: "message.send", chat_id: chat.id, client_msg_id: p.cid, body: p.body };
    if (p.attachmentIds) frame.attachment_ids = p.attachmentIds;
    return frame;
  });
  if (S.wantClose && chat && chatOpen() && send({ type: "chat.close", chat_id: chat.id })) S.wantClose = false;
}
