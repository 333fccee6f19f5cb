// Parley agent console: several chats at once over one agent socket.
// Every message is shown once and in order: each chat keeps the last `seq` it rendered, frames at
// or below it are dropped, and a gap (or a reconnect) asks the server to `resume` from it.
// All user data is rendered as text (textContent / text nodes), never as HTML.

import { AgentSocket } from "./console-socket.js";
import { clock, h, humanKey, initials, parseTime, safeHref, shortUrl, since, uuid } from "./console-util.js";

const TOKEN_KEY = "parley:console:token";
const AGENT_KEY = "parley:console:agent";
const SELECTED_KEY = "parley:console:selected";
const APP_NAME = document.body.dataset.appName || "Parley";
const TYPING_THROTTLE_MS = 2000;
const TYPING_IDLE_MS = 3000;
const TYPING_SHOW_MS = 6000;
const ACTIVITY_THROTTLE_MS = 60000;
const RESUME_PAGE = 1000; // the server replays at most this many messages per resume
const TRAIL_MAX = 30;
const MAX_BODY = 5000;

const $ = (selector, root = document) => root.querySelector(selector);
const byTestId = (id, root = document) => root.querySelector(`[data-testid="${id}"]`);

const ui = {
  login: $("#pc-login"),
  loginForm: $("#pc-login-form"),
  loginNote: $("#pc-login-note"),
  loginError: byTestId("login-error"),
  loginSubmit: byTestId("login-submit"),
  email: $("#email"),
  password: $("#password"),
  app: $("#pc-app"),
  connection: byTestId("connection"),
  agentName: byTestId("agent-name"),
  meAvatar: $(".pc-me-avatar"),
  statusWrap: $(".pc-status"),
  status: byTestId("status-select"),
  logout: byTestId("logout"),
  queue: byTestId("queue-count"),
  chatCount: byTestId("chat-count"),
  list: byTestId("chat-list"),
  listEmpty: byTestId("chat-list-empty"),
  empty: byTestId("empty-state"),
  chat: byTestId("chat"),
  chatAvatar: $(".pc-chat-avatar"),
  chatTitle: byTestId("chat-title"),
  chatEmail: byTestId("chat-email"),
  chatMeta: $(".pc-chat-meta"),
  accept: byTestId("accept"),
  closeChat: byTestId("close-chat"),
  dismiss: byTestId("dismiss"),
  offer: byTestId("offer"),
  offerLeft: $(".pc-offer-left"),
  messages: byTestId("messages"),
  typing: byTestId("typing"),
  ended: byTestId("chat-ended"),
  composerForm: $(".pc-composer"),
  composer: byTestId("composer"),
  composeStatus: byTestId("compose-status"),
  send: byTestId("send"),
  modes: Array.from(document.querySelectorAll(".pc-mode")),
  sideEmpty: $(".pc-side-empty"),
  side: $(".pc-side"),
  sideAvatar: $(".pc-side-avatar"),
  visitorName: byTestId("visitor-name"),
  visitorEmail: byTestId("visitor-email"),
  facts: byTestId("visitor-facts"),
  preChat: byTestId("pre-chat"),
  trail: byTestId("page-trail"),
  toasts: byTestId("toasts"),
};

const state = {
  token: null,
  agent: null,
  socket: null,
  connected: false,
  everConnected: false,
  chats: new Map(), // chat id -> chat (see newChat)
  order: [], // chat ids as the list shows them
  selectedId: null,
  trails: new Map(), // visitor id -> [{url, title, at}], newest first
  visitorsLoaded: new Set(),
  typingOut: { chatId: null, active: false, lastSent: 0, idleTimer: 0 },
  lastActivitySent: 0,
  listDirty: false,
};

// ---------------------------------------------------------------- storage

function loadSession() {
  const raw = localStorage.getItem(TOKEN_KEY);
  if (!raw) return null;
  let token = raw;
  let agent = null;
  if (raw.startsWith("{")) {
    // Tolerate a stored {"access_token", "agent"} object as well as the bare token.
    try {
      const parsed = JSON.parse(raw);
      token = parsed.access_token || parsed.token || null;
      agent = parsed.agent || null;
    } catch {
      token = null;
    }
  }
  if (!agent) {
    try {
      agent = JSON.parse(localStorage.getItem(AGENT_KEY) || "null");
    } catch {
      agent = null;
    }
  }
  return token ? { token, agent } : null;
}

function saveSession(token, agent) {
  localStorage.setItem(TOKEN_KEY, token);
  if (agent) localStorage.setItem(AGENT_KEY, JSON.stringify(agent));
}

function clearSession() {
  localStorage.removeItem(TOKEN_KEY);
  localStorage.removeItem(AGENT_KEY);
  sessionStorage.removeItem(SELECTED_KEY);
}

// ---------------------------------------------------------------- REST

async function api(path, { method = "GET", body, auth = true } = {}) {
  const headers = { Accept: "application/json" };
  if (auth && state.token) headers.Authorization = `Bearer ${state.token}`;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const res = await fetch(`/api/v1${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  let data = null;
  try {
    data = await res.json();
  } catch {
    data = null;
  }
  if (!res.ok) {
    const err = new Error((data && data.error && data.error.message) || res.statusText || "request failed");
    err.status = res.status;
    throw err;
  }
  return data;
}

// ---------------------------------------------------------------- login / logout

function showLogin(note) {
  ui.app.hidden = true;
  ui.login.hidden = false;
  ui.loginNote.hidden = !note;
  ui.loginNote.textContent = note || "";
  ui.loginError.hidden = true;
  ui.loginError.textContent = "";
  ui.password.value = "";
  document.title = `${APP_NAME} console`;
  (ui.email.value ? ui.password : ui.email).focus();
}

ui.loginForm.addEventListener("submit", async (event) => {
  event.preventDefault();
  const email = ui.email.value.trim();
  const password = ui.password.value;
  ui.loginError.hidden = true;
  if (!email || !password) {
    showLoginError("Enter your e-mail and password.");
    return;
  }
  ui.loginSubmit.disabled = true;
  ui.loginSubmit.textContent = "Signing in…";
  try {
    const out = await api("/auth/login", { method: "POST", body: { email, password }, auth: false });
    saveSession(out.access_token, out.agent);
    startConsole(out.access_token, out.agent);
  } catch (err) {
    showLoginError(
      err.status === 401 ? "Wrong e-mail or password." : `Could not sign in: ${err.message || "the server did not answer"}.`,
    );
    ui.password.select();
  } finally {
    ui.loginSubmit.disabled = false;
    ui.loginSubmit.textContent = "Sign in";
  }
});

function showLoginError(text) {
  ui.loginError.textContent = text;
  ui.loginError.hidden = false;
}

ui.logout.addEventListener("click", () => {
  stopTyping();
  clearSession();
  teardown();
  showLogin("You are logged out.");
});

function onUnauthorized() {
  clearSession();
  teardown();
  showLogin("Your session has ended. Please sign in again.");
}

function teardown() {
  if (state.socket) state.socket.stop();
  state.socket = null;
  for (const chat of state.chats.values()) clearChatTimers(chat);
  state.chats.clear();
  state.order = [];
  state.selectedId = null;
  state.token = null;
  state.agent = null;
  state.connected = false;
  state.everConnected = false;
  state.trails.clear();
  state.visitorsLoaded.clear();
  ui.list.replaceChildren();
  ui.messages.replaceChildren();
  ui.toasts.replaceChildren();
  renderSelection();
  renderList();
}

function startConsole(token, agent) {
  teardown();
  state.token = token;
  state.agent = agent || null;
  ui.login.hidden = true;
  ui.app.hidden = false;
  renderAgent();
  setConnection("connecting");
  renderSelection();
  renderList();
  state.socket = new AgentSocket(() => state.token, {
    onFrame: handleFrame,
    onClose: () => {
      state.connected = false;
      setConnection("reconnecting");
      resetResumes();
      renderComposeStatus();
    },
    onUnauthorized,
  });
  state.socket.start();
}

// ---------------------------------------------------------------- top bar

function renderAgent() {
  const agent = state.agent;
  ui.agentName.textContent = agent ? agent.name || agent.email || "" : "";
  ui.meAvatar.replaceChildren();
  if (agent && agent.avatar_url && /^(https?:|data:image\/)/.test(agent.avatar_url)) {
    ui.meAvatar.append(h("img", { src: agent.avatar_url, alt: "" }));
  } else {
    ui.meAvatar.textContent = initials(agent && agent.name);
  }
  if (agent && agent.status) setStatus(agent.status);
}

function setStatus(status) {
  const known = ["online", "busy", "away", "offline"].includes(status) ? status : "offline";
  ui.status.value = known;
  ui.statusWrap.dataset.status = known;
}

ui.status.addEventListener("change", () => {
  const status = ui.status.value;
  ui.statusWrap.dataset.status = status;
  if (!send({ type: "presence.set", status })) {
    toast("Not connected — your status will be set when the connection is back.");
    state.pendingStatus = status;
  }
});

function setConnection(which) {
  ui.connection.dataset.state = which;
  ui.connection.textContent =
    which === "connected" ? "Connected" : which === "reconnecting" ? "Reconnecting…" : "Connecting…";
}

function renderQueue(total) {
  if (typeof total !== "number") return;
  ui.queue.hidden = false;
  ui.queue.dataset.waiting = total > 0 ? "yes" : "no";
  ui.queue.textContent = total === 0 ? "Queue empty" : `${total} waiting`;
}

async function fetchQueue() {
  try {
    const out = await api("/queue");
    if (out && typeof out.total === "number") renderQueue(out.total);
  } catch {
    /* the next queue.update frame fills it in */
  }
}

// ---------------------------------------------------------------- socket frames

function send(frame) {
  return !!state.socket && state.connected && state.socket.send(frame);
}

function handleFrame(frame) {
  switch (frame.type) {
    case "hello":
      return onHello(frame);
    case "message.new":
      return onMessageNew(frame);
    case "message.ack":
      return onAck(frame);
    case "resume.done":
      return onResumeDone(frame);
    case "typing":
      return onTyping(frame);
    case "chat.assigned":
      return onAssigned(frame, false);
    case "chat.offered":
      return onAssigned(frame, true);
    case "chat.offer_expired":
      return onOfferExpired(frame);
    case "chat.unassigned":
      return onUnassigned(frame);
    case "chat.transferred":
      return onTransferred(frame);
    case "chat.closed":
      return onClosed(frame);
    case "visitor.activity":
      return onVisitorActivity(frame);
    case "presence.update":
      return onPresence(frame);
    case "queue.update":
      return renderQueue(frame.total);
    case "resync":
      // The server lost frames between its processes: fetch whatever we may have missed.
      for (const chat of state.chats.values()) if (!chat.ended) resume(chat);
      return undefined;
    case "error":
      return onError(frame);
    default:
      return undefined;
  }
}

function onHello(frame) {
  const first = !state.everConnected;
  state.connected = true;
  state.everConnected = true;
  state.socket.markHealthy();
  setConnection("connected");
  if (frame.agent) {
    state.agent = frame.agent;
    saveSession(state.token, frame.agent);
    renderAgent();
  }
  if (state.pendingStatus) {
    send({ type: "presence.set", status: state.pendingStatus });
    state.pendingStatus = null;
  }
  const open = new Set();
  for (const summary of frame.chats || []) {
    open.add(summary.id);
    upsertChat(summary, summary.status === "offered");
  }
  for (const chat of state.chats.values()) {
    if (open.has(chat.id)) continue;
    if (!chat.ended) {
      // Closed, transferred or taken back while we were away: fetch the last words, then end it.
      catchUpByRest(chat);
      endChat(chat, chat.offered ? "The offer lapsed while you were offline." : "This chat was closed or handed over while you were offline.");
    }
  }
  // Resume every open chat from the last message shown (0 the first time), then re-send what
  // the server has not acknowledged yet: it stores each client_msg_id once.
  for (const id of open) resume(state.chats.get(id));
  for (const chat of state.chats.values()) {
    for (const p of chat.pending.values()) if (!p.acked && !p.failed) sendPending(chat, p);
  }
  if (first && !state.selectedId) {
    const remembered = sessionStorage.getItem(SELECTED_KEY);
    if (remembered && state.chats.has(remembered)) selectChat(remembered, { focus: false });
  }
  renderList();
  autoSelect();
  renderSelection();
  fetchQueue();
}

function resetResumes() {
  for (const chat of state.chats.values()) {
    chat.resuming = false;
    chat.needsResume = false;
  }
}

function resume(chat) {
  if (!chat) return;
  if (chat.resuming) {
    chat.needsResume = true;
    return;
  }
  if (!send({ type: "resume", chat_id: chat.id, after_seq: chat.lastSeq })) return;
  chat.resuming = true;
  chat.needsResume = false;
  chat.resumeFrom = chat.lastSeq;
  chat.bootstrapping = chat.lastSeq === 0;
  chat.replayed = 0;
}

function onResumeDone(frame) {
  const chat = state.chats.get(frame.chat_id);
  if (!chat) return;
  const wasBootstrapping = chat.bootstrapping;
  chat.resuming = false;
  chat.bootstrapping = false;
  if (frame.status === "closed" && !chat.ended) endChat(chat, "This chat has ended.");
  else if (frame.status === "offered") chat.offered = true;
  else if (frame.status === "active") chat.offered = false;
  if (frame.status) chat.status = frame.status;
  const full = chat.replayed >= RESUME_PAGE; // the server sends a page at a time
  // Resume again for a gap seen meanwhile; give up after a few rounds that bring nothing.
  chat.idleResumes = chat.lastSeq > chat.resumeFrom ? 0 : (chat.idleResumes || 0) + 1;
  if ((chat.needsResume || chat.maxSeen > chat.lastSeq || full) && chat.idleResumes < 3) resume(chat);
  if (wasBootstrapping && chat.id === state.selectedId) scrollToBottom(true);
  scheduleList();
  if (chat.id === state.selectedId) renderSelection();
}

// ---------------------------------------------------------------- chats

function newChat(summary) {
  return {
    id: summary.id,
    summary,
    status: summary.status || "active",
    offered: summary.status === "offered",
    offerExpiresAt: null,
    ended: false,
    endedReason: "",
    lastSeq: 0,
    maxSeen: 0,
    resuming: false,
    needsResume: false,
    bootstrapping: false,
    replayed: 0,
    thread: h("div", { class: "pc-thread" }),
    pending: new Map(), // client_msg_id -> {frame, node, acked, failed, tries}
    unread: 0,
    activityAt: parseTime(summary.assigned_at) || parseTime(summary.created_at) || Date.now(),
    waitingSince: null,
    preview: "",
    previewPrefix: "",
    draft: "",
    kind: "public",
    visitorTyping: false,
    typingName: "",
    typingTimer: 0,
    scrollTop: null,
    li: null,
    closingByMe: false,
  };
}

function visitorName(chat) {
  const pre = chat.summary.pre_chat || {};
  const visitor = chat.summary.visitor || {};
  return String(pre.name || visitor.name || "").trim() || "Visitor";
}

function visitorEmail(chat) {
  const pre = chat.summary.pre_chat || {};
  const visitor = chat.summary.visitor || {};
  return String(pre.email || visitor.email || "").trim();
}

function upsertChat(summary, offered) {
  let chat = state.chats.get(summary.id);
  if (chat) {
    chat.summary = { ...chat.summary, ...summary };
    if (summary.status) chat.status = summary.status;
    chat.offered = offered;
    if (chat.ended && summary.status !== "closed") {
      // Handed back to us (a transfer back, a re-assignment): open again and catch up.
      chat.ended = false;
      chat.endedReason = "";
    }
  } else {
    chat = newChat(summary);
    chat.offered = offered;
    state.chats.set(chat.id, chat);
    loadVisitor(chat);
  }
  return chat;
}

function onAssigned(frame, offered) {
  const summary = frame.chat || {};
  const id = frame.chat_id || summary.id;
  if (!id) return;
  if (!summary.id) summary.id = id;
  const known = state.chats.get(id);
  const reopened = known && known.ended;
  const chat = upsertChat(summary, offered);
  if (offered) {
    chat.offerExpiresAt = frame.expires_in_s ? Date.now() + frame.expires_in_s * 1000 : null;
    chat.activityAt = Date.now();
    ensureOfferTicker();
  } else {
    chat.offerExpiresAt = null;
    chat.status = "active";
    if (!known) chat.activityAt = Date.now();
  }
  if (!known || reopened) resume(chat);
  renderList();
  autoSelect();
  if (chat.id === state.selectedId) renderSelection();
  if (!known && chat.id !== state.selectedId) {
    toast(offered ? `New chat offered: ${visitorName(chat)}` : `New chat: ${visitorName(chat)}`, "info");
  }
}

function onOfferExpired(frame) {
  const chat = state.chats.get(frame.chat_id);
  if (!chat) return;
  toast(`The offer for ${visitorName(chat)} lapsed; it goes to a colleague.`, "info");
  removeChat(chat.id);
}

function onUnassigned(frame) {
  const chat = state.chats.get(frame.chat_id);
  if (!chat) return;
  endChat(chat, "This chat was handed to a colleague because your connection dropped.");
}

function onTransferred(frame) {
  const chat = state.chats.get(frame.chat_id);
  if (!chat) return;
  const me = state.agent && state.agent.id;
  if (frame.to_agent_id && frame.to_agent_id === me) return; // chat.assigned brings it to us
  const who = (frame.agent && frame.agent.name) || frame.to_skill || "a colleague";
  endChat(chat, `Transferred to ${who}.`);
}

function onClosed(frame) {
  const chat = state.chats.get(frame.chat_id);
  if (!chat) return;
  const by = frame.closed_by;
  const reason =
    by === "visitor"
      ? "The visitor closed the chat."
      : by === "agent"
        ? chat.closingByMe
          ? "You closed this chat."
          : "An agent closed this chat."
        : "This chat was closed automatically.";
  endChat(chat, reason);
}

function endChat(chat, reason) {
  chat.ended = true;
  chat.offered = false;
  chat.status = "closed";
  chat.endedReason = reason;
  chat.waitingSince = null;
  chat.offerExpiresAt = null;
  hideVisitorTyping(chat);
  if (state.typingOut.chatId === chat.id) stopTyping();
  scheduleList();
  if (chat.id === state.selectedId) renderSelection();
}

function removeChat(id) {
  const chat = state.chats.get(id);
  if (!chat) return;
  clearChatTimers(chat);
  state.chats.delete(id);
  if (chat.li) chat.li.remove();
  const index = state.order.indexOf(id);
  state.order = state.order.filter((x) => x !== id);
  if (state.selectedId === id) {
    state.selectedId = null;
    sessionStorage.removeItem(SELECTED_KEY);
    const next = state.order[Math.min(index, state.order.length - 1)];
    if (next) selectChat(next);
    else renderSelection();
  }
  renderList();
}

function clearChatTimers(chat) {
  clearTimeout(chat.typingTimer);
  for (const p of chat.pending.values()) clearTimeout(p.retryTimer);
}

async function catchUpByRest(chat) {
  // The chat left our socket's reach; the REST history still shows what was said.
  try {
    const out = await api(`/chats/${encodeURIComponent(chat.id)}/messages?after_seq=${chat.lastSeq}`);
    for (const m of (out && out.items) || []) {
      if (m.seq === chat.lastSeq + 1) acceptMessage(chat, m);
    }
  } catch {
    /* best effort */
  }
}

// ---------------------------------------------------------------- messages

function onMessageNew(frame) {
  const chat = state.chats.get(frame.chat_id);
  const m = frame.message;
  if (!chat || !m || typeof m.seq !== "number") return;
  if (chat.resuming) chat.replayed += 1;
  if (m.seq <= chat.lastSeq) return; // shown already
  if (m.seq > chat.lastSeq + 1) {
    // A gap: drop this frame and ask for everything after the last message shown.
    chat.maxSeen = Math.max(chat.maxSeen, m.seq);
    resume(chat);
    return;
  }
  acceptMessage(chat, m);
}

function acceptMessage(chat, m) {
  chat.lastSeq = m.seq;
  const author = m.author || { type: "system" };
  const kind = m.kind || "public";
  const mine = author.type === "agent" && state.agent && author.id === state.agent.id;
  const pending = m.client_msg_id ? chat.pending.get(m.client_msg_id) : null;
  let node;
  if (pending) {
    chat.pending.delete(m.client_msg_id);
    clearTimeout(pending.retryTimer);
    node = pending.node;
    fillMessage(node, m);
    placeConfirmed(chat, node);
  } else {
    node = renderMessage(m);
    placeConfirmed(chat, node);
  }

  const at = parseTime(m.created_at) || Date.now();
  if (kind === "public" && author.type === "visitor") {
    if (!chat.waitingSince) chat.waitingSince = at;
    hideVisitorTyping(chat);
    const watching = chat.id === state.selectedId && !document.hidden;
    if (!watching) chat.unread += 1;
  } else if (kind === "public" && author.type === "agent") {
    chat.waitingSince = null;
    // Replaying history: an answer means what came before it was read.
    if (chat.bootstrapping) chat.unread = 0;
  }
  chat.activityAt = Math.max(chat.activityAt || 0, at);
  chat.previewPrefix = kind === "note" ? "Note: " : kind === "whisper" ? "Whisper: " : mine ? "You: " : "";
  chat.preview = m.body || "";
  if (chat.id === state.selectedId) {
    const stick = mine || chat.bootstrapping || isNearBottom();
    if (stick) scrollToBottom();
  }
  scheduleList();
}

function placeConfirmed(chat, node) {
  // Confirmed messages in seq order, then the ones still on their way.
  let firstPending = null;
  for (const p of chat.pending.values()) {
    if (p.node.parentNode === chat.thread && p.node !== node) {
      if (!firstPending || (p.node.compareDocumentPosition(firstPending) & Node.DOCUMENT_POSITION_FOLLOWING)) {
        firstPending = p.node;
      }
    }
  }
  chat.thread.insertBefore(node, firstPending);
}

const KIND_LABEL = { whisper: "Whisper", note: "Note" };

function renderMessage(m) {
  const node = h(
    "div",
    { class: "pc-msg", "data-testid": "message" },
    h(
      "div",
      { class: "pc-msg-meta" },
      h("span", { class: "pc-msg-kind" }),
      h("span", { class: "pc-msg-author", "data-testid": "message-author" }),
      h("time", { class: "pc-msg-time", "data-testid": "message-time" }),
    ),
    h("div", { class: "pc-msg-body", "data-testid": "message-body" }),
    h("div", { class: "pc-msg-state" }),
  );
  fillMessage(node, m);
  return node;
}

function fillMessage(node, m) {
  const author = m.author || { type: "system" };
  const kind = m.kind || "public";
  const type = ["visitor", "agent", "system"].includes(author.type) ? author.type : "system";
  if (typeof m.seq === "number") node.dataset.seq = String(m.seq);
  else delete node.dataset.seq;
  node.dataset.kind = kind;
  node.dataset.authorType = type;
  if (m.id) node.dataset.messageId = m.id;
  if (m.client_msg_id) node.dataset.clientMsgId = m.client_msg_id;
  delete node.dataset.pending;
  delete node.dataset.failed;
  node.classList.remove("pc-msg-pending", "pc-msg-failed");
  const mine = type === "agent" && state.agent && author.id === state.agent.id;
  node.classList.toggle("pc-msg-mine", !!mine);
  $(".pc-msg-kind", node).textContent = KIND_LABEL[kind] || "";
  $(".pc-msg-kind", node).hidden = !KIND_LABEL[kind];
  const name = author.name || (type === "visitor" ? "Visitor" : type === "system" ? APP_NAME : "Agent");
  $(".pc-msg-author", node).textContent = name;
  const time = $(".pc-msg-time", node);
  time.textContent = clock(m.created_at);
  if (m.created_at) {
    time.dateTime = m.created_at;
    time.title = new Date(parseTime(m.created_at)).toLocaleString();
  }
  $(".pc-msg-body", node).textContent = m.body || "";
  const status = $(".pc-msg-state", node);
  status.replaceChildren();
  status.hidden = true;
}

function renderPending(p) {
  const { frame } = p;
  const node = renderMessage({
    kind: frame.kind,
    body: frame.body,
    author: { type: "agent", id: state.agent && state.agent.id, name: (state.agent && state.agent.name) || "You" },
    client_msg_id: frame.client_msg_id,
  });
  node.dataset.pending = "true";
  node.classList.add("pc-msg-pending");
  p.node = node;
  renderPendingState(p);
  return node;
}

function renderPendingState(p) {
  const status = $(".pc-msg-state", p.node);
  status.replaceChildren();
  status.hidden = false;
  if (p.failed) {
    p.node.dataset.failed = "true";
    p.node.classList.add("pc-msg-failed");
    status.append(
      h("span", { class: "pc-msg-error" }, `Not sent: ${p.failed}`),
      " ",
      h(
        "button",
        {
          type: "button",
          class: "pc-link",
          "data-testid": "retry",
          onclick: () => {
            p.failed = null;
            p.tries = 0;
            delete p.node.dataset.failed;
            p.node.classList.remove("pc-msg-failed");
            const chat = state.chats.get(p.frame.chat_id);
            if (chat) sendPending(chat, p);
            renderPendingState(p);
          },
        },
        "Retry",
      ),
    );
  } else if (p.acked) {
    status.textContent = "Sent";
  } else {
    status.textContent = state.connected ? "Sending…" : "Waiting for connection…";
  }
}

function sendPending(chat, p) {
  p.tries = (p.tries || 0) + 1;
  send(p.frame); // false while offline: the frame goes out after the next hello
  if (p.node) renderPendingState(p);
}

function onAck(frame) {
  const chat = state.chats.get(frame.chat_id) || findChatByPending(frame.client_msg_id);
  if (!chat) return;
  const p = chat.pending.get(frame.client_msg_id);
  if (!p) return; // message.new came first: nothing left to do
  p.acked = true;
  p.seq = frame.seq;
  p.node.dataset.ackSeq = String(frame.seq);
  renderPendingState(p);
}

function findChatByPending(clientMsgId) {
  if (!clientMsgId) return null;
  for (const chat of state.chats.values()) if (chat.pending.has(clientMsgId)) return chat;
  return null;
}

function onError(frame) {
  const chat = findChatByPending(frame.ref);
  if (chat) {
    const p = chat.pending.get(frame.ref);
    if (frame.code === "unavailable" && p.tries < 3) {
      // Nothing was stored: send the same message again shortly.
      clearTimeout(p.retryTimer);
      p.retryTimer = setTimeout(() => sendPending(chat, p), 1000 * p.tries);
      return;
    }
    p.failed = frame.message || frame.code || "error";
    renderPendingState(p);
    return;
  }
  toast(frame.message || `Error: ${frame.code}`, "error");
}

// ---------------------------------------------------------------- composing and sending

function sendMessage() {
  const chat = selectedChat();
  if (!chat || chat.ended || chat.offered) return;
  const body = ui.composer.value.trim();
  if (!body) return;
  if (body.length > MAX_BODY) {
    toast(`A message can have at most ${MAX_BODY.toLocaleString()} characters.`, "error");
    return;
  }
  stopTyping();
  const frame = {
    type: "message.send",
    chat_id: chat.id,
    client_msg_id: uuid(),
    body,
    kind: chat.kind || "public",
  };
  const p = { frame, node: null, acked: false, failed: null, tries: 0, retryTimer: 0 };
  chat.pending.set(frame.client_msg_id, p);
  chat.thread.append(renderPending(p));
  sendPending(chat, p);
  ui.composer.value = "";
  chat.draft = "";
  if (frame.kind === "public") chat.waitingSince = null;
  chat.previewPrefix = frame.kind === "note" ? "Note: " : "You: ";
  chat.preview = body;
  chat.activityAt = Date.now();
  if (chat.kind !== "public") setKind(chat, "public"); // notes are one-offs
  scrollToBottom(true);
  scheduleList();
  ui.composer.focus();
}

ui.composerForm.addEventListener("submit", (event) => {
  event.preventDefault();
  sendMessage();
});

ui.composer.addEventListener("keydown", (event) => {
  if (event.key === "Enter" && !event.shiftKey && !event.altKey && !event.ctrlKey && !event.metaKey && !event.isComposing) {
    event.preventDefault();
    sendMessage();
  }
});

ui.composer.addEventListener("input", () => {
  const chat = selectedChat();
  if (!chat) return;
  chat.draft = ui.composer.value;
  if (!ui.composer.value.trim()) {
    stopTyping();
    return;
  }
  if (chat.kind !== "public" || chat.ended || chat.offered) return; // notes are not typed to the visitor
  const t = state.typingOut;
  if (t.chatId && t.chatId !== chat.id) stopTyping();
  const now = Date.now();
  if (!t.active || now - t.lastSent >= TYPING_THROTTLE_MS) {
    if (send({ type: "typing", chat_id: chat.id, active: true })) {
      t.active = true;
      t.lastSent = now;
      t.chatId = chat.id;
    }
  }
  clearTimeout(t.idleTimer);
  t.idleTimer = setTimeout(stopTyping, TYPING_IDLE_MS);
});

function stopTyping() {
  const t = state.typingOut;
  clearTimeout(t.idleTimer);
  t.idleTimer = 0;
  if (t.active && t.chatId) send({ type: "typing", chat_id: t.chatId, active: false });
  t.active = false;
  t.chatId = null;
  t.lastSent = 0;
}

for (const button of ui.modes) {
  button.addEventListener("click", () => {
    const chat = selectedChat();
    if (!chat) return;
    if (button.dataset.kind !== "public") stopTyping();
    setKind(chat, button.dataset.kind);
    ui.composer.focus();
  });
}

function setKind(chat, kind) {
  chat.kind = kind;
  if (chat.id === state.selectedId) renderKind(chat);
}

function renderKind(chat) {
  for (const button of ui.modes) button.setAttribute("aria-checked", String(button.dataset.kind === chat.kind));
  ui.composerForm.dataset.kind = chat.kind;
  ui.composer.placeholder =
    chat.kind === "note" ? "Write an internal note — the visitor never sees it…" : `Reply to ${visitorName(chat)}…`;
  ui.send.textContent = chat.kind === "note" ? "Add note" : "Send";
}

// ---------------------------------------------------------------- typing from the visitor

function onTyping(frame) {
  const chat = state.chats.get(frame.chat_id);
  if (!chat || !frame.author || frame.author.type !== "visitor") return;
  clearTimeout(chat.typingTimer);
  if (frame.active && !chat.ended) {
    chat.visitorTyping = true;
    chat.typingName = frame.author.name || visitorName(chat);
    chat.typingTimer = setTimeout(() => hideVisitorTyping(chat), TYPING_SHOW_MS);
  } else {
    chat.visitorTyping = false;
  }
  renderTyping(chat);
}

function hideVisitorTyping(chat) {
  clearTimeout(chat.typingTimer);
  if (!chat.visitorTyping) return;
  chat.visitorTyping = false;
  renderTyping(chat);
}

function renderTyping(chat) {
  if (chat.id === state.selectedId) {
    const name = visitorName(chat) !== "Visitor" ? visitorName(chat) : chat.typingName || "Visitor";
    ui.typing.textContent = chat.visitorTyping ? `${name} is typing…` : "";
    ui.typing.hidden = !chat.visitorTyping;
  }
  if (chat.li) renderItem(chat);
}

// ---------------------------------------------------------------- visitor activity

function onVisitorActivity(frame) {
  if (!frame.visitor_id || !frame.url) return;
  addTrail(frame.visitor_id, [{ url: frame.url, title: frame.title, at: frame.at }]);
}

function addTrail(visitorId, entries) {
  const trail = state.trails.get(visitorId) || [];
  const seen = new Set(trail.map((e) => `${e.at}|${e.url}`));
  for (const e of entries) {
    const key = `${e.at}|${e.url}`;
    if (seen.has(key)) continue;
    seen.add(key);
    trail.push({ url: String(e.url), title: e.title ? String(e.title) : "", at: e.at || null });
  }
  trail.sort((a, b) => (parseTime(b.at) || 0) - (parseTime(a.at) || 0));
  trail.length = Math.min(trail.length, TRAIL_MAX);
  state.trails.delete(visitorId); // re-insert: the map keeps the most recent visitors last
  state.trails.set(visitorId, trail);
  if (state.trails.size > 500) state.trails.delete(state.trails.keys().next().value);
  const chat = selectedChat();
  if (chat && chat.summary.visitor && chat.summary.visitor.id === visitorId) renderTrail(chat);
}

async function loadVisitor(chat) {
  const visitorId = chat.summary.visitor && chat.summary.visitor.id;
  if (!visitorId || state.visitorsLoaded.has(visitorId)) return;
  state.visitorsLoaded.add(visitorId);
  try {
    const out = await api(`/visitors/${encodeURIComponent(visitorId)}`);
    if (!out) return;
    chat.visitorDetails = out;
    for (const other of state.chats.values()) {
      if (other.summary.visitor && other.summary.visitor.id === visitorId) other.visitorDetails = out;
    }
    if (Array.isArray(out.pages)) addTrail(visitorId, out.pages);
    const selected = selectedChat();
    if (selected && selected.summary.visitor && selected.summary.visitor.id === visitorId) renderSide(selected);
  } catch {
    state.visitorsLoaded.delete(visitorId); // live visitor.activity frames still fill the trail
  }
}

// ---------------------------------------------------------------- presence

function onPresence(frame) {
  if (!state.agent || frame.agent_id !== state.agent.id) return;
  state.agent.status = frame.status;
  setStatus(frame.status);
  if (frame.reason === "idle") toast("You were set to Away after a while without activity.", "info");
}

function noteActivity() {
  const now = Date.now();
  if (now - state.lastActivitySent < ACTIVITY_THROTTLE_MS) return;
  if (send({ type: "activity" })) state.lastActivitySent = now;
}

document.addEventListener("keydown", noteActivity, { passive: true, capture: true });
document.addEventListener("pointerdown", noteActivity, { passive: true, capture: true });

// ---------------------------------------------------------------- the chat list

function sortedIds() {
  return Array.from(state.chats.values())
    .sort((a, b) => {
      const ua = a.unread > 0 ? 1 : 0;
      const ub = b.unread > 0 ? 1 : 0;
      if (ua !== ub) return ub - ua;
      if ((b.activityAt || 0) !== (a.activityAt || 0)) return (b.activityAt || 0) - (a.activityAt || 0);
      return a.id < b.id ? -1 : 1;
    })
    .map((c) => c.id);
}

let listFrame = 0;
function scheduleList() {
  if (listFrame) return;
  listFrame = requestAnimationFrame(() => {
    listFrame = 0;
    renderList();
  });
}

function renderList() {
  if (listFrame) {
    cancelAnimationFrame(listFrame);
    listFrame = 0;
  }
  const ids = sortedIds();
  state.order = ids;
  const wanted = ids.map((id) => {
    const chat = state.chats.get(id);
    if (!chat.li) chat.li = buildItem(chat);
    renderItem(chat);
    return chat.li;
  });
  // Re-order only when needed, so a click in progress is not disturbed.
  const current = Array.from(ui.list.children);
  if (current.length !== wanted.length || current.some((node, i) => node !== wanted[i])) {
    ui.list.replaceChildren(...wanted);
  }
  ui.listEmpty.hidden = ids.length > 0;
  const open = Array.from(state.chats.values()).filter((c) => !c.ended).length;
  ui.chatCount.textContent = ids.length ? String(open) : "";
  renderTitle();
}

function buildItem(chat) {
  const li = h(
    "li",
    { class: "pc-item", "data-testid": "chat-item", "data-chat-id": chat.id, tabindex: "0", role: "button" },
    h("div", { class: "pc-avatar pc-item-avatar", "aria-hidden": "true" }),
    h(
      "div",
      { class: "pc-item-main" },
      h(
        "div",
        { class: "pc-item-row" },
        h("span", { class: "pc-item-name", "data-testid": "chat-item-name" }),
        h("span", { class: "pc-item-tag" }),
        h("span", { class: "pc-item-time", "data-testid": "chat-item-time" }),
      ),
      h(
        "div",
        { class: "pc-item-row" },
        h("span", { class: "pc-item-preview", "data-testid": "chat-item-preview" }),
        h("span", { class: "pc-badge", "data-testid": "unread", hidden: true }),
      ),
    ),
  );
  li.addEventListener("click", () => selectChat(chat.id));
  li.addEventListener("keydown", (event) => {
    if (event.key === "Enter" || event.key === " ") {
      event.preventDefault();
      selectChat(chat.id);
    }
  });
  return li;
}

function renderItem(chat) {
  const li = chat.li;
  const name = visitorName(chat);
  li.classList.toggle("pc-selected", chat.id === state.selectedId);
  li.setAttribute("aria-current", chat.id === state.selectedId ? "true" : "false");
  li.classList.toggle("pc-ended", chat.ended);
  li.classList.toggle("pc-offered", chat.offered);
  li.classList.toggle("pc-has-unread", chat.unread > 0);
  $(".pc-item-avatar", li).textContent = initials(name === "Visitor" ? "" : name);
  $(".pc-item-name", li).textContent = name;
  const tag = $(".pc-item-tag", li);
  tag.textContent = chat.ended ? "Ended" : chat.offered ? "Offer" : "";
  tag.hidden = !tag.textContent;
  renderItemTime(chat);
  const preview = $(".pc-item-preview", li);
  if (chat.visitorTyping && !chat.ended) {
    preview.textContent = "typing…";
    preview.classList.add("pc-item-typing");
  } else {
    preview.classList.remove("pc-item-typing");
    const text = chat.preview ? chat.previewPrefix + chat.preview.replace(/\s+/g, " ") : chat.offered ? "Waiting for you to accept" : "";
    preview.textContent = text;
  }
  const badge = $(".pc-badge", li);
  badge.textContent = chat.unread > 99 ? "99+" : String(chat.unread);
  badge.hidden = chat.unread === 0;
  badge.setAttribute("aria-label", `${chat.unread} unread`);
}

function renderItemTime(chat) {
  const time = $(".pc-item-time", chat.li);
  const now = Date.now();
  time.classList.remove("pc-late");
  if (chat.offered && chat.offerExpiresAt) {
    const left = Math.max(0, Math.ceil((chat.offerExpiresAt - now) / 1000));
    time.textContent = `${left} s`;
    time.title = "Seconds left to accept";
    time.classList.add("pc-late");
  } else if (!chat.ended && chat.waitingSince) {
    time.textContent = `waiting ${since(chat.waitingSince, now)}`;
    time.title = "The visitor is waiting for an answer";
    if (now - chat.waitingSince >= 60000) time.classList.add("pc-late");
  } else {
    const started = parseTime(chat.summary.created_at) || chat.activityAt;
    time.textContent = since(started, now);
    time.title = "Time since the chat started";
  }
}

function renderTitle() {
  let total = 0;
  for (const chat of state.chats.values()) total += chat.unread;
  document.title = total > 0 ? `(${total}) ${APP_NAME} console` : `${APP_NAME} console`;
}

// A clock for the "waiting 3 min" labels and the offer countdown.
setInterval(() => {
  for (const chat of state.chats.values()) if (chat.li) renderItemTime(chat);
}, 15000);

let offerTicker = 0;
function ensureOfferTicker() {
  if (offerTicker) return;
  offerTicker = setInterval(() => {
    let any = false;
    for (const chat of state.chats.values()) {
      if (chat.offered && chat.offerExpiresAt && chat.li) {
        any = true;
        renderItemTime(chat);
        if (chat.id === state.selectedId) renderOffer(chat);
      }
    }
    if (!any) {
      clearInterval(offerTicker);
      offerTicker = 0;
    }
  }, 1000);
}

// ---------------------------------------------------------------- selection

function selectedChat() {
  return state.selectedId ? state.chats.get(state.selectedId) || null : null;
}

function autoSelect() {
  if (state.selectedId || !state.order.length) return;
  const firstOpen = state.order.find((id) => !state.chats.get(id).ended) || state.order[0];
  selectChat(firstOpen, { focus: false });
}

function selectChat(id, { focus = true } = {}) {
  const chat = state.chats.get(id);
  if (!chat) return;
  const previous = selectedChat();
  if (previous && previous.id !== id) {
    previous.scrollTop = isNearBottom() ? null : ui.messages.scrollTop;
    previous.draft = ui.composer.value;
    if (state.typingOut.chatId === previous.id) stopTyping();
  }
  state.selectedId = id;
  sessionStorage.setItem(SELECTED_KEY, id);
  if (!document.hidden) chat.unread = 0;
  if (ui.messages.firstChild !== chat.thread) ui.messages.replaceChildren(chat.thread);
  ui.composer.value = chat.draft || "";
  renderSelection();
  renderList();
  if (chat.scrollTop === null) scrollToBottom(true);
  else ui.messages.scrollTop = chat.scrollTop;
  if (focus && !ui.composer.disabled) ui.composer.focus();
}

function renderSelection() {
  const chat = selectedChat();
  ui.empty.hidden = !!chat;
  ui.chat.hidden = !chat;
  ui.sideEmpty.hidden = !!chat;
  ui.side.hidden = !chat;
  if (!chat) {
    ui.messages.replaceChildren();
    ui.typing.hidden = true;
    return;
  }
  const name = visitorName(chat);
  const email = visitorEmail(chat);
  ui.chatAvatar.textContent = initials(name === "Visitor" ? "" : name);
  ui.chatTitle.textContent = name;
  ui.chatEmail.textContent = email;
  ui.chatEmail.hidden = !email;
  const meta = [];
  if (chat.summary.skill) meta.push(humanKey(chat.summary.skill));
  if (chat.summary.created_at) meta.push(`started ${clock(chat.summary.created_at)}`);
  ui.chatMeta.textContent = meta.join(" · ");
  ui.accept.hidden = !chat.offered || chat.ended;
  ui.closeChat.hidden = chat.ended || chat.offered;
  ui.dismiss.hidden = !chat.ended;
  renderOffer(chat);
  ui.ended.hidden = !chat.ended;
  ui.ended.textContent = chat.ended ? `${chat.endedReason || "This chat has ended."} You can dismiss it.` : "";
  const locked = chat.ended || chat.offered;
  ui.composer.disabled = locked;
  ui.send.disabled = locked;
  for (const button of ui.modes) button.disabled = locked;
  ui.composerForm.classList.toggle("pc-locked", locked);
  renderKind(chat);
  if (chat.ended) ui.composer.placeholder = "This chat has ended.";
  else if (chat.offered) ui.composer.placeholder = "Accept the chat to reply.";
  renderComposeStatus();
  renderTyping(chat);
  renderSide(chat);
}

function renderOffer(chat) {
  ui.offer.hidden = !chat.offered || chat.ended;
  if (chat.offered && chat.offerExpiresAt) {
    const left = Math.max(0, Math.ceil((chat.offerExpiresAt - Date.now()) / 1000));
    ui.offerLeft.textContent = `${left} s left.`;
  } else {
    ui.offerLeft.textContent = "";
  }
}

function renderComposeStatus() {
  const chat = selectedChat();
  ui.composeStatus.textContent = chat && !state.connected && !chat.ended ? "Offline — messages are sent when the connection is back" : "";
  for (const c of state.chats.values()) {
    for (const p of c.pending.values()) if (p.node && !p.acked && !p.failed) renderPendingState(p);
  }
}

function renderSide(chat) {
  const name = visitorName(chat);
  const email = visitorEmail(chat);
  ui.sideAvatar.textContent = initials(name === "Visitor" ? "" : name);
  ui.visitorName.textContent = name;
  ui.visitorEmail.textContent = email || "No e-mail given";
  ui.visitorEmail.classList.toggle("pc-muted", !email);

  const facts = [];
  const visitor = { ...(chat.summary.visitor || {}), ...(chat.visitorDetails || {}) };
  const visits = visitor.visit_count;
  if (typeof visits === "number") facts.push(["Visits", visits > 1 ? `${visits} (returning visitor)` : "First visit"]);
  const previous = chat.summary.previous_chats;
  if (Array.isArray(previous) && previous.length) facts.push(["Earlier chats", String(previous.length)]);
  if (chat.summary.skill) facts.push(["Topic", humanKey(chat.summary.skill)]);
  if (chat.summary.created_at) facts.push(["Started", clock(chat.summary.created_at)]);
  renderFacts(ui.facts, facts);

  const pre = chat.summary.pre_chat || {};
  const answers = Object.entries(pre)
    .filter(([key, value]) => key !== "name" && key !== "email" && value !== null && value !== undefined && value !== "")
    .map(([key, value]) => [humanKey(key), typeof value === "object" ? JSON.stringify(value) : String(value)]);
  renderFacts(ui.preChat, answers, "No other answers.");
  renderTrail(chat);
}

function renderFacts(dl, rows, emptyText) {
  dl.replaceChildren();
  if (!rows.length && emptyText) {
    dl.append(h("div", { class: "pc-facts-empty" }, emptyText));
    return;
  }
  for (const [key, value] of rows) dl.append(h("div", { class: "pc-fact" }, h("dt", {}, key), h("dd", {}, value)));
}

function renderTrail(chat) {
  const visitorId = chat.summary.visitor && chat.summary.visitor.id;
  const trail = (visitorId && state.trails.get(visitorId)) || [];
  ui.trail.replaceChildren();
  if (!trail.length) {
    ui.trail.append(h("li", { class: "pc-trail-empty" }, "No pages seen yet."));
    return;
  }
  trail.forEach((entry, index) => {
    const href = safeHref(entry.url);
    const label = entry.title || shortUrl(entry.url);
    const title = href
      ? h("a", { href, target: "_blank", rel: "noopener noreferrer", class: "pc-trail-title", title: entry.url }, label)
      : h("span", { class: "pc-trail-title", title: entry.url }, label);
    ui.trail.append(
      h(
        "li",
        { class: index === 0 ? "pc-trail-item pc-trail-now" : "pc-trail-item", "data-testid": "page-trail-item" },
        h("div", { class: "pc-trail-head" }, index === 0 ? h("span", { class: "pc-now" }, "Now") : null, title),
        h("div", { class: "pc-trail-sub" }, h("span", { class: "pc-trail-url" }, shortUrl(entry.url)), h("span", {}, clock(entry.at))),
      ),
    );
  });
}

function isNearBottom() {
  const el = ui.messages;
  return el.scrollHeight - el.scrollTop - el.clientHeight < 80;
}

function scrollToBottom(force = false) {
  if (!force && !isNearBottom()) return;
  ui.messages.scrollTop = ui.messages.scrollHeight;
  requestAnimationFrame(() => {
    ui.messages.scrollTop = ui.messages.scrollHeight;
  });
}

// ---------------------------------------------------------------- chat actions

ui.accept.addEventListener("click", () => {
  const chat = selectedChat();
  if (!chat || !chat.offered) return;
  if (!send({ type: "chat.accept", chat_id: chat.id })) toast("Not connected — try again in a moment.", "error");
});

ui.closeChat.addEventListener("click", () => {
  const chat = selectedChat();
  if (!chat || chat.ended) return;
  chat.closingByMe = true;
  stopTyping();
  if (!send({ type: "chat.close", chat_id: chat.id })) toast("Not connected — the chat is still open.", "error");
});

ui.dismiss.addEventListener("click", () => {
  const chat = selectedChat();
  if (chat && chat.ended) removeChat(chat.id);
});

// ---------------------------------------------------------------- keyboard and visibility

document.addEventListener("keydown", (event) => {
  if (ui.app.hidden || !event.altKey || event.ctrlKey || event.metaKey) return;
  if (event.key !== "ArrowUp" && event.key !== "ArrowDown") return;
  event.preventDefault();
  const ids = state.order;
  if (!ids.length) return;
  const index = ids.indexOf(state.selectedId);
  let next;
  if (index === -1) next = event.key === "ArrowDown" ? 0 : ids.length - 1;
  else next = (index + (event.key === "ArrowDown" ? 1 : -1) + ids.length) % ids.length;
  selectChat(ids[next]);
});

document.addEventListener("visibilitychange", () => {
  if (document.hidden) return;
  const chat = selectedChat();
  if (chat && chat.unread) {
    chat.unread = 0;
    renderList();
  }
});

window.addEventListener("online", () => {
  if (state.socket) state.socket.reconnectSoon();
});

// ---------------------------------------------------------------- toasts

function toast(text, tone = "error") {
  const node = h("div", { class: `pc-toast pc-toast-${tone}`, "data-testid": "toast", role: tone === "error" ? "alert" : "status" }, text);
  const close = h("button", { type: "button", class: "pc-toast-close", "aria-label": "Dismiss" }, "×");
  close.addEventListener("click", () => node.remove());
  node.append(close);
  ui.toasts.append(node);
  while (ui.toasts.children.length > 4) ui.toasts.firstChild.remove();
  setTimeout(() => node.remove(), tone === "error" ? 8000 : 5000);
}

// ---------------------------------------------------------------- start

const session = loadSession();
if (session) startConsole(session.token, session.agent);
else showLogin();
