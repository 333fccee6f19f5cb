// The agent console: several chats at once, saved replies, whispers and notes, transfer,
// visitor context, files, and notifications. All user text is rendered as text, never HTML.
import { AgentSocket, TOKEN_KEY, ago, api, el, uuid } from "./parley-client.js";
import { setupTeam } from "./team.js";
import { setupApiTokens } from "./apitokens.js";
import { setupMail } from "./mail.js";
import { setupPrivacy } from "./privacy.js";
import { setupOfficeHours, setupOfflineInbox } from "./offline.js";
import { setupWebhooks } from "./webhooks.js";
import { renderMessage } from "./messages.js";
import { applyTexts, languageMenu, t } from "./i18n.js";
import { trailEvent, trailItems } from "./trail.js";

const $ = (sel, root = document) => root.querySelector(sel);
applyTexts();
$("[data-testid=logout]").before(languageMenu());
const state = {
  token: localStorage.getItem(TOKEN_KEY),
  me: null,
  socket: null,
  chats: new Map(), // id -> chat view state
  order: [],
  selected: null,
  kind: "public",
  replies: [],
  agents: new Map(),
  skills: [],
  pendingFiles: [],
  typingTimer: 0,
  lastTypingSent: 0,
  lastActivity: 0,
  completion: { items: [], index: 0 },
};

// ------------------------------------------------------------------ login
function showLogin(message) {
  $("#app").hidden = true;
  $("#login").hidden = false;
  const err = $("#login-error");
  err.hidden = !message;
  err.textContent = message || "";
  $("#email").focus();
}

$("#login-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  try {
    const out = await api("/auth/login", {
      method: "POST",
      body: { email: $("#email").value, password: $("#password").value },
    });
    localStorage.setItem(TOKEN_KEY, out.access_token);
    state.token = out.access_token;
    start();
  } catch (e) {
    showLogin(e.status === 401 ? "Wrong e-mail or password." : "Could not sign in: " + e.message);
  }
});

$("[data-testid=logout]").addEventListener("click", () => {
  localStorage.removeItem(TOKEN_KEY);
  if (state.socket) state.socket.stop();
  location.reload();
});

// ------------------------------------------------------------------ start
function start() {
  $("#login").hidden = true;
  $("#app").hidden = false;
  const socket = new AgentSocket(state.token);
  state.socket = socket;
  socket.addEventListener("open", () => setConnection(true));
  socket.addEventListener("close", (ev) => {
    setConnection(false);
    if (ev.detail === 4401) {
      localStorage.removeItem(TOKEN_KEY);
      showLogin(t("session_ended"));
    }
  });
  socket.addEventListener("frame", (ev) => onFrame(ev.detail));
  socket.addEventListener("message", (ev) => onMessage(ev.detail));
  socket.connect();
  loadReplies();
  loadAgents();
}

function setConnection(up) {
  const c = $("[data-testid=connection]");
  c.textContent = t(up ? "connected" : "reconnecting");
  c.classList.toggle("down", !up);
}

async function loadReplies() {
  try {
    state.replies = (await api("/saved-replies", { token: state.token })).items;
  } catch {
    state.replies = [];
  }
}

async function loadAgents() {
  try {
    for (const a of (await api("/agents", { token: state.token })).items) state.agents.set(a.id, a);
    state.skills = (await api("/skills", { token: state.token })).items.map((s) => s.name);
  } catch {
    /* the transfer dialog falls back to what presence tells us */
  }
}

// ------------------------------------------------------------------ frames
function onFrame(f) {
  switch (f.type) {
    case "hello":
      state.me = f.agent;
      renderMe();
      $("[data-testid=status-select]").value = f.agent.status === "offline" ? "online" : f.agent.status;
      $("#supervisor-link").hidden = !["supervisor", "admin"].includes(f.agent.role);
      $("#dashboard-link").hidden = !["supervisor", "admin"].includes(f.agent.role);
      $("#admin-link").hidden = !["supervisor", "admin"].includes(f.agent.role);
      $("#team-btn").hidden = f.agent.role !== "admin";
      $("#api-tokens-btn").hidden = f.agent.role !== "admin";
      $("#mail-btn").hidden = f.agent.role !== "admin";
      privacy.setAdmin(f.agent.role === "admin");
      $("#triggers-link").hidden = f.agent.role !== "admin";
      webhooks.signedIn(f.agent.role);
      mail.loadStatus(); // whether "Send transcript" can work, and if not, why
      $("#hours-btn").hidden = f.agent.role !== "admin";
      offlineInbox.refresh();
      // Supervisors and admins come in watching (away): say how to take customers.
      if (["supervisor", "admin"].includes(f.agent.role) && f.agent.status === "away") {
        banner("You are watching (Away): no chats are sent to you. Set yourself Online to take customers.");
      }
      // Chats that closed or moved while we were away are no longer ours: say so, keep the text.
      for (const chat of state.chats.values()) {
        if (!chat.ended && !f.chats.some((c) => c.id === chat.id)) {
          chat.status = "closed";
          chat.ended = "This chat was closed or handed over while you were offline";
          state.socket.forget(chat.id);
          renderChat(chat.id);
        }
      }
      for (const summary of f.chats) {
        upsertChat(summary, { offered: summary.status === "offered" });
        // After a reconnect, fetch what the visitor wrote while we were gone (from our last seq).
        state.socket.track(summary.id);
      }
      state.socket.flushOutbox();
      break;
    case "chat.assigned":
      upsertChat(f.chat, { offered: false });
      notify("New chat", `${visitorName(f.chat)}: a new chat is waiting for you.`);
      break;
    case "chat.offered":
      upsertChat(f.chat, { offered: true });
      notify("Chat offered", `${visitorName(f.chat)} wants to chat. Accept it in the console.`);
      break;
    case "chat.offer_expired":
    case "chat.unassigned":
      removeChat(f.chat_id);
      break;
    case "chat.transferred":
      if (state.me && f.to_agent_id !== state.me.id && state.chats.has(f.chat_id)) {
        const chat = state.chats.get(f.chat_id);
        chat.ended = "Transferred to " + (f.agent ? f.agent.name : "a colleague");
        chat.status = "transferred";
        renderChat(f.chat_id);
      }
      break;
    case "chat.closed": {
      const chat = state.chats.get(f.chat_id);
      if (chat) {
        chat.status = "closed";
        if (f.reason === "visitor_left") chat.ended = "The visitor left (gone too long): the chat was closed";
        else chat.ended = f.closed_by === "visitor" ? "The visitor ended the chat" : "Chat closed";
        renderChat(f.chat_id);
      }
      break;
    }
    case "chat.survey": {
      const chat = state.chats.get(f.chat_id);
      if (chat) {
        chat.survey = f.survey;
        if (f.chat_id === state.selected) renderMessages();
      }
      break;
    }
    case "message.ack":
      markPending(f.client_msg_id, { seq: f.seq });
      break;
    case "typing":
      if (f.author && f.author.type === "visitor") showTyping(f.chat_id, f.author.name, f.active);
      break;
    case "presence.update":
      onPresence(f);
      break;
    case "queue.update":
      $("[data-testid=queue-count]").textContent = t("waiting", { n: f.total });
      $("[data-testid=queue-count]").classList.toggle("busy", f.total > 0);
      break;
    case "visitor.activity":
      for (const chat of state.chats.values()) {
        if (chat.summary.visitor.id === f.visitor_id) {
          chat.pages.unshift(f.event ? trailEvent(f.event) : { url: f.url, title: f.title, at: f.at });
          if (chat.id === state.selected) renderContext();
        }
      }
      break;
    case "visitor.erased":
      forgetVisitor(f.visitor_id, f.chat_ids);
      break;
    case "error":
      if (f.ref && markPending(f.ref, { failed: f.message })) break;
      toast(f.message);
      break;
    default:
      break;
  }
}

function onPresence(f) {
  const a = state.agents.get(f.agent_id);
  if (a) Object.assign(a, { status: f.status, active_chats: f.active_chats });
  if (state.me && f.agent_id === state.me.id) {
    state.me.status = f.status;
    $("[data-testid=status-select]").value = f.status === "offline" ? "online" : f.status;
    if (f.status === "online") $("#banner").hidden = true;
    if (f.reason === "idle") banner("You were set to Away because the console was idle. Set yourself Online to get chats again.");
  }
}

// ------------------------------------------------------------------ chats
function visitorName(summary) {
  return (summary.visitor && summary.visitor.name) || (summary.pre_chat && summary.pre_chat.name) || "Visitor";
}

function upsertChat(summary, { offered }) {
  let chat = state.chats.get(summary.id);
  if (!chat) {
    chat = {
      id: summary.id,
      summary,
      messages: [],
      pending: new Map(),
      unread: 0,
      offered,
      status: summary.status,
      ended: null,
      lastVisitorAt: null,
      lastAgentAt: null,
      pages: [],
      context: null,
      draft: "",
    };
    state.chats.set(summary.id, chat);
    state.order.unshift(summary.id);
    state.socket.track(summary.id);
  } else {
    chat.summary = { ...chat.summary, ...summary };
    chat.offered = offered;
    chat.status = summary.status;
  }
  if (!state.selected) select(summary.id);
  renderList();
  if (chat.id === state.selected) renderChat(chat.id);
}

function removeChat(id) {
  state.chats.delete(id);
  state.order = state.order.filter((x) => x !== id);
  state.socket.forget(id);
  if (state.selected === id) {
    state.selected = null;
    const next = state.order[0];
    if (next) select(next);
    else showChat(false);
  }
  renderList();
}

function onMessage(frame) {
  const chat = state.chats.get(frame.chat_id);
  if (!chat) return;
  const m = frame.message;
  const pending = m.client_msg_id && chat.pending.get(m.client_msg_id);
  if (pending) {
    chat.pending.delete(m.client_msg_id);
    chat.messages = chat.messages.filter((x) => x !== pending);
  }
  chat.messages.push(m);
  if (m.kind === "public" && m.author.type === "visitor") chat.lastVisitorAt = m.created_at;
  if (m.kind === "public" && m.author.type === "agent") chat.lastAgentAt = m.created_at;
  const live = !state.socket.isResuming(chat.id);
  if (m.author.type === "visitor" && (chat.id !== state.selected || document.hidden)) {
    chat.unread += 1;
    if (live) notify(visitorName(chat.summary), m.body);
  }
  if (m.author.type === "visitor") showTyping(chat.id, null, false);
  renderList();
  if (chat.id === state.selected) appendMessage(m, pending);
}

function markPending(clientMsgId, { seq, failed }) {
  for (const chat of state.chats.values()) {
    const p = chat.pending.get(clientMsgId);
    if (!p) continue;
    if (failed) {
      p.failed = failed;
      state.socket.outbox.delete(clientMsgId);
    } else p.acked = seq;
    if (chat.id === state.selected) renderMessages();
    return true;
  }
  return false;
}

function select(id) {
  const prev = state.selected && state.chats.get(state.selected);
  if (prev) prev.draft = $("[data-testid=composer]").value;
  state.selected = id;
  const chat = state.chats.get(id);
  if (!chat) return;
  chat.unread = 0;
  showChat(true);
  $("[data-testid=composer]").value = chat.draft;
  state.pendingFiles = [];
  renderPendingFiles();
  renderList();
  renderChat(id);
  loadContext(chat);
}

function showChat(on) {
  $("#chat").hidden = !on;
  $("#no-chat").hidden = on;
  $("#context").hidden = !on;
  $("#context-empty").hidden = on;
}

function waitingSince(chat) {
  if (!chat.lastVisitorAt) return null;
  if (chat.lastAgentAt && chat.lastAgentAt >= chat.lastVisitorAt) return null;
  return chat.lastVisitorAt;
}

function renderList() {
  const list = $("[data-testid=chat-list]");
  const ids = [...state.order].sort((a, b) => {
    const ca = state.chats.get(a);
    const cb = state.chats.get(b);
    return (cb.unread > 0) - (ca.unread > 0) || 0;
  });
  list.replaceChildren(
    ...ids.map((id, i) => {
      const chat = state.chats.get(id);
      const last = chat.messages[chat.messages.length - 1];
      const waiting = waitingSince(chat);
      return el(
        "li",
        {
          "data-testid": "chat-item",
          "data-chat-id": id,
          class: ["chat-item", id === state.selected && "selected", chat.ended && "ended", chat.offered && "offered"]
            .filter(Boolean)
            .join(" "),
          title: i < 9 ? `Alt+${i + 1}` : undefined,
          onclick: () => select(id),
        },
        el(
          "div",
          { class: "row" },
          el("span", { class: "name" }, visitorName(chat.summary)),
          el("span", { class: "unread", "data-testid": "unread", hidden: chat.unread === 0 }, String(chat.unread)),
        ),
        el("div", { class: "preview" }, chat.offered ? "Offered to you — accept?" : chat.ended || (last ? last.body : "…")),
        waiting ? el("div", { class: "waiting", "data-since": waiting }, "waiting " + ago(waiting)) : null,
      );
    }),
  );
  $(".empty-list").hidden = state.order.length > 0;
  const total = [...state.chats.values()].reduce((n, c) => n + c.unread, 0);
  document.title = (total ? `(${total}) ` : "") + "Parley console";
}

function renderChat(id) {
  if (id !== state.selected) return;
  const chat = state.chats.get(id);
  $("[data-testid=chat-title]").textContent = visitorName(chat.summary);
  const sub = [chat.summary.visitor.email, chat.summary.skill && "skill: " + chat.summary.skill].filter(Boolean);
  $("#chat-sub").textContent = sub.join(" · ");
  const closed = chat.status === "closed" || chat.status === "transferred";
  $("[data-testid=accept]").hidden = !chat.offered;
  $("[data-testid=close-chat]").hidden = closed || chat.offered;
  $("[data-testid=transfer]").hidden = closed || chat.offered;
  $("[data-testid=dismiss]").hidden = !closed;
  $("[data-testid=composer]").disabled = closed || chat.offered;
  $("[data-testid=send]").disabled = closed || chat.offered;
  renderMessages();
}

function renderMessages() {
  const chat = state.chats.get(state.selected);
  if (!chat) return;
  const box = $("[data-testid=messages]");
  const all = [...chat.messages, ...chat.pending.values()];
  box.replaceChildren(...all.map((m) => renderMessage(m, { viewer: "agent", token: state.token })));
  if (chat.ended) box.append(el("div", { class: "ended-note" }, chat.ended));
  if (chat.survey) box.append(surveyNote(chat.survey));
  else if (chat.ended && !chat.surveyAsked) loadSurvey(chat);
  box.scrollTop = box.scrollHeight;
}

// The visitor's post-chat rating: live (chat.survey), or asked for once when an ended chat shows.
async function loadSurvey(chat) {
  chat.surveyAsked = true;
  try {
    chat.survey = (await api(`/chats/${chat.id}/survey`, { token: state.token })).survey;
  } catch {
    return;
  }
  if (chat.survey && chat.id === state.selected) renderMessages();
}

function surveyNote(s) {
  return el(
    "div",
    { class: "ended-note survey-note", "data-testid": "chat-survey" },
    `Rated ${s.rating}/5 ${"★".repeat(s.rating)}`,
    s.comment ? el("q", {}, s.comment) : null,
  );
}

function appendMessage(m, replaced) {
  if (replaced) return renderMessages();
  const box = $("[data-testid=messages]");
  const nearBottom = box.scrollHeight - box.scrollTop - box.clientHeight < 80;
  box.append(renderMessage(m, { viewer: "agent", token: state.token }));
  if (nearBottom) box.scrollTop = box.scrollHeight;
}

function showTyping(chatId, name, active) {
  const chat = state.chats.get(chatId);
  if (!chat) return;
  clearTimeout(chat.typingTimer);
  chat.typing = active ? name || visitorName(chat.summary) : null;
  if (active) chat.typingTimer = setTimeout(() => showTyping(chatId, null, false), 6000);
  if (chatId === state.selected) {
    const t = $("[data-testid=typing]");
    t.hidden = !chat.typing;
    t.textContent = chat.typing ? `${chat.typing} is typing…` : "";
  }
}

// ------------------------------------------------------------------ visitor context
async function loadContext(chat) {
  renderContext();
  if (chat.context) return;
  try {
    chat.context = await api(`/visitors/${chat.summary.visitor.id}`, { token: state.token });
    const key = (p) => p.at + p.url + (p.event || "");
    const seen = new Set(chat.pages.map(key));
    for (const p of [...chat.context.pages, ...(chat.context.events || []).map(trailEvent)]) if (!seen.has(key(p))) chat.pages.push(p);
    chat.pages.sort((a, b) => (a.at < b.at ? 1 : -1));
  } catch {
    chat.context = { chats: [], visit_count: chat.summary.visitor.visit_count };
  }
  if (chat.id === state.selected) renderContext();
}

function renderContext() {
  const chat = state.chats.get(state.selected);
  if (!chat) return;
  const v = chat.summary.visitor;
  privacy.showFor({ id: v.id, name: visitorName(chat.summary) });
  $("[data-testid=context-name]").textContent = visitorName(chat.summary);
  $("[data-testid=context-email]").textContent = v.email || "—";
  $("[data-testid=context-visits]").textContent = String((chat.context && chat.context.visit_count) || v.visit_count || 1);
  // A verified customer's id (Parley.setUser with a valid hash) and what the CRM wrote.
  $("[data-testid=context-external-id]").textContent = (chat.context && chat.context.external_id) || "—";
  const attributes = Object.entries((chat.context && chat.context.attributes) || {});
  $("[data-testid=context-attributes]").replaceChildren(
    ...(attributes.length ? attributes.flatMap(([k, val]) => [el("dt", {}, k), el("dd", {}, typeof val === "object" ? JSON.stringify(val) : String(val))]) : [el("dd", { class: "muted" }, "—")]),
  );
  const pre = Object.entries(chat.summary.pre_chat || {}).filter(([k]) => k !== "name" && k !== "email");
  $("[data-testid=context-prechat]").replaceChildren(
    ...(pre.length ? pre.flatMap(([k, val]) => [el("dt", {}, k), el("dd", {}, String(val))]) : [el("dd", { class: "muted" }, "—")]),
  );
  $("[data-testid=page-trail]").replaceChildren(...trailItems(chat.pages));
  const previous = ((chat.context && chat.context.chats) || []).filter((c) => c.id !== chat.id);
  $("[data-testid=previous-chats]").replaceChildren(
    ...(previous.length
      ? previous.map((c) => el("li", {}, el("button", { class: "link", type: "button", onclick: () => showTranscript(c.id) }, new Date(c.created_at).toLocaleString())))
      : [el("li", { class: "muted" }, "First chat")]),
  );
}

async function showTranscript(chatId) {
  const dialog = $("#transcript-dialog");
  const box = $(".transcript", dialog);
  box.replaceChildren(el("p", { class: "muted" }, "Loading…"));
  dialog.showModal();
  try {
    const out = await api(`/chats/${chatId}/messages`, { token: state.token });
    box.replaceChildren(...out.items.map((m) => renderMessage(m, { viewer: "agent", token: state.token })));
  } catch (e) {
    box.replaceChildren(el("p", { class: "error" }, e.message));
  }
}

// ------------------------------------------------------------------ composer
const composer = $("[data-testid=composer]");

for (const b of document.querySelectorAll(".mode")) {
  b.addEventListener("click", () => setKind(b.dataset.kind));
}

function setKind(kind) {
  state.kind = kind;
  for (const b of document.querySelectorAll(".mode")) b.classList.toggle("active", b.dataset.kind === kind);
  $(".composer").dataset.kind = kind;
  composer.placeholder =
    kind === "public" ? "Write a reply… (Enter sends, Shift+Enter for a new line)" : kind === "whisper" ? "Whisper to the agents of this chat (the visitor never sees it)" : "Internal note, kept with the chat";
}

function send() {
  const chat = state.chats.get(state.selected);
  if (!chat) return;
  const text = composer.value.trim();
  const files = state.pendingFiles.filter((f) => f.id);
  if (!text && !files.length) return;
  const body = text || files.map((f) => f.name).join(", ");
  const frame = state.socket.sendMessage(chat.id, body, state.kind, files.map((f) => f.id));
  const pending = {
    id: null,
    client_msg_id: frame.client_msg_id,
    kind: state.kind,
    body,
    pending: true,
    created_at: new Date().toISOString(),
    author: { type: "agent", id: state.me && state.me.id, name: state.me && state.me.name },
    attachments: files,
  };
  chat.pending.set(frame.client_msg_id, pending);
  composer.value = "";
  state.pendingFiles = [];
  renderPendingFiles();
  sendTyping(false);
  hideCompletions();
  renderMessages();
}

$("[data-testid=send]").addEventListener("click", send);

composer.addEventListener("keydown", (ev) => {
  const popup = $("[data-testid=saved-replies]");
  if (!popup.hidden) {
    if (ev.key === "ArrowDown" || ev.key === "ArrowUp") {
      ev.preventDefault();
      const n = state.completion.items.length;
      state.completion.index = (state.completion.index + (ev.key === "ArrowDown" ? 1 : n - 1)) % n;
      renderCompletions();
      return;
    }
    if (ev.key === "Enter" || ev.key === "Tab") {
      ev.preventDefault();
      pickReply(state.completion.items[state.completion.index]);
      return;
    }
    if (ev.key === "Escape") {
      hideCompletions();
      return;
    }
  }
  if (ev.key === "Enter" && !ev.shiftKey) {
    ev.preventDefault();
    // "/del" with no saved reply behind it is a typo, not a message for the customer.
    const shortcut = /^\/([\w-]*)$/.exec(composer.value.trim());
    if (shortcut && state.kind === "public") {
      toast(`No saved reply "/${shortcut[1]}": nothing was sent (the Send button sends it as text).`);
      return;
    }
    send();
  }
});

composer.addEventListener("input", () => {
  const text = composer.value;
  const m = /^\/([\w-]*)$/.exec(text);
  if (m) {
    const prefix = m[1].toLowerCase();
    state.completion.items = state.replies.filter((r) => r.shortcut.toLowerCase().startsWith(prefix)).slice(0, 8);
    state.completion.index = 0;
    renderCompletions();
  } else hideCompletions();
  if (text.trim()) sendTyping(true);
});

function renderCompletions() {
  const popup = $("[data-testid=saved-replies]");
  popup.hidden = state.completion.items.length === 0;
  popup.replaceChildren(
    ...state.completion.items.map((r, i) =>
      el(
        "li",
        { "data-testid": "saved-reply-option", class: i === state.completion.index ? "active" : "", onmousedown: (ev) => (ev.preventDefault(), pickReply(r)) },
        el("strong", {}, "/" + r.shortcut),
        " ",
        el("span", {}, r.title),
        el("div", { class: "muted small" }, r.body),
      ),
    ),
  );
}

function hideCompletions() {
  $("[data-testid=saved-replies]").hidden = true;
  state.completion.items = [];
}

async function pickReply(reply) {
  hideCompletions();
  if (!reply) return;
  try {
    const out = await api(`/saved-replies/${reply.id}/use`, { method: "POST", token: state.token, body: { chat_id: state.selected } });
    composer.value = out.body;
    reply.usage_count += 1;
  } catch (e) {
    toast(e.message);
  }
  composer.focus();
}

function sendTyping(active) {
  const chat = state.chats.get(state.selected);
  if (!chat || state.kind !== "public") return;
  const now = Date.now();
  clearTimeout(state.typingTimer);
  if (active) {
    if (now - state.lastTypingSent > 2000) {
      state.socket.send({ type: "typing", chat_id: chat.id, active: true });
      state.lastTypingSent = now;
    }
    state.typingTimer = setTimeout(() => sendTyping(false), 3000);
  } else if (state.lastTypingSent) {
    state.socket.send({ type: "typing", chat_id: chat.id, active: false });
    state.lastTypingSent = 0;
  }
}

// Files: uploaded at once, sent with the next message.
$("[data-testid=file-input]").addEventListener("change", async (ev) => {
  const input = ev.target;
  for (const file of input.files) {
    const entry = { name: file.name, uploading: true, key: uuid() };
    state.pendingFiles.push(entry);
    renderPendingFiles();
    const form = new FormData();
    form.append("file", file);
    try {
      Object.assign(entry, await api("/uploads", { method: "POST", token: state.token, form }), { uploading: false });
    } catch (e) {
      state.pendingFiles = state.pendingFiles.filter((f) => f !== entry);
      toast(`${file.name}: ${e.message}`);
    }
    renderPendingFiles();
  }
  input.value = "";
});

function renderPendingFiles() {
  $("[data-testid=pending-files]").replaceChildren(
    ...state.pendingFiles.map((f) =>
      el(
        "span",
        { class: "chip" },
        f.uploading ? "Uploading " : "",
        f.name,
        el("button", { type: "button", class: "x", "aria-label": "Remove", onclick: () => ((state.pendingFiles = state.pendingFiles.filter((x) => x !== f)), renderPendingFiles()) }, "×"),
      ),
    ),
  );
}

// ------------------------------------------------------------------ actions
$("[data-testid=status-select]").addEventListener("change", (ev) => {
  state.socket.send({ type: "presence.set", status: ev.target.value });
  $("#banner").hidden = true;
});

$("[data-testid=accept]").addEventListener("click", () => {
  state.socket.send({ type: "chat.accept", chat_id: state.selected });
});

$("[data-testid=close-chat]").addEventListener("click", () => {
  state.socket.send({ type: "chat.close", chat_id: state.selected });
});

$("[data-testid=dismiss]").addEventListener("click", () => removeChat(state.selected));

$("[data-testid=transfer]").addEventListener("click", async () => {
  await loadAgents();
  const select = $("[data-testid=transfer-agent]");
  const others = [...state.agents.values()].filter((a) => state.me && a.id !== state.me.id);
  select.replaceChildren(
    el("option", { value: "" }, "— choose a colleague —"),
    ...others.map((a) => {
      const full = a.active_chats >= a.max_chats;
      const label = `${a.name} — ${a.status}${a.status === "online" ? `, ${a.active_chats}/${a.max_chats} chats` : ""}`;
      return el("option", { value: a.id, disabled: a.status !== "online" || full }, label);
    }),
  );
  $("#skill-list").replaceChildren(...state.skills.map((s) => el("option", { value: s })));
  $("[data-testid=transfer-skill]").value = "";
  $("[data-testid=transfer-note]").value = "";
  $("#transfer-dialog").showModal();
});

$("#transfer-dialog").addEventListener("close", () => {
  if ($("#transfer-dialog").returnValue !== "ok") return;
  const toAgent = $("[data-testid=transfer-agent]").value;
  const toSkill = $("[data-testid=transfer-skill]").value.trim();
  const note = $("[data-testid=transfer-note]").value.trim();
  if (!toAgent && !toSkill) return toast("Choose a colleague or a skill.");
  const frame = { type: "chat.transfer", chat_id: state.selected };
  if (toAgent) frame.to_agent_id = toAgent;
  else frame.to_skill = toSkill;
  if (note) frame.note = note;
  state.socket.send(frame);
});

// Keyboard: Alt+Up/Down moves between chats, Alt+1..9 jumps.
document.addEventListener("keydown", (ev) => {
  markActive();
  if (!ev.altKey || !state.order.length) return;
  const i = state.order.indexOf(state.selected);
  if (ev.key === "ArrowDown" || ev.key === "ArrowUp") {
    ev.preventDefault();
    const n = state.order.length;
    select(state.order[(i + (ev.key === "ArrowDown" ? 1 : n - 1) + n) % n]);
  } else if (/^[1-9]$/.test(ev.key) && state.order[Number(ev.key) - 1]) {
    ev.preventDefault();
    select(state.order[Number(ev.key) - 1]);
  }
});
document.addEventListener("mousedown", markActive);

// Tell the server (at most once a minute) that someone is at the console, so they stay online.
function markActive() {
  const now = Date.now();
  if (now - state.lastActivity > 60000 && state.socket && state.socket.open) {
    state.lastActivity = now;
    state.socket.send({ type: "activity" });
  }
}

// ------------------------------------------------------------------ profile
function renderMe() {
  $("#me-name").textContent = state.me.name;
  $("#me-avatar").hidden = !state.me.avatar_url;
  if (state.me.avatar_url) $("#me-avatar").src = state.me.avatar_url;
}

$("[data-testid=profile]").addEventListener("click", () => {
  if (!state.me) return;
  $("[data-testid=profile-name]").value = state.me.name;
  $("#profile-photo").hidden = !state.me.avatar_url;
  if (state.me.avatar_url) $("#profile-photo").src = state.me.avatar_url;
  $("[data-testid=profile-file]").value = "";
  $("[data-testid=profile-current-password]").value = "";
  $("[data-testid=profile-new-password]").value = "";
  $("#profile-dialog").showModal();
});

$("#profile-dialog").addEventListener("close", async () => {
  if ($("#profile-dialog").returnValue !== "ok") return;
  try {
    const name = $("[data-testid=profile-name]").value.trim();
    if (name && name !== state.me.name) {
      Object.assign(state.me, await api("/agents/me", { method: "PATCH", token: state.token, body: { name } }));
    }
    const file = $("[data-testid=profile-file]").files[0];
    if (file) {
      const form = new FormData();
      form.append("file", file);
      Object.assign(state.me, await api("/agents/me/avatar", { method: "POST", token: state.token, form }));
    }
    const current = $("[data-testid=profile-current-password]").value;
    const next = $("[data-testid=profile-new-password]").value;
    if (current || next) {
      // Every other session of this agent ends; this one carries on with the fresh token.
      const out = await api("/agents/me/password", { method: "POST", token: state.token, body: { current_password: current, new_password: next } });
      localStorage.setItem(TOKEN_KEY, out.access_token);
      state.token = out.access_token;
      toast("Password changed. Your other sessions have been signed out.");
    }
    renderMe();
    toast("Saved. Visitors see this on your next messages.");
  } catch (e) {
    toast(e.message);
  }
});

setupTeam({ button: $("#team-btn"), dialog: $("#team-dialog"), token: () => state.token });
setupApiTokens({ button: $("#api-tokens-btn"), dialog: $("#api-tokens-dialog"), token: () => state.token });
const privacy = setupPrivacy({
  button: $("#privacy-btn"),
  actions: $("#privacy-actions"),
  token: () => state.token,
  onErased: (visitorId) => forgetVisitor(visitorId, []),
});

// An erased visitor's chats leave the list (here, and in every console of the site).
function forgetVisitor(visitorId, chatIds) {
  for (const chat of [...state.chats.values()]) {
    if (chat.summary.visitor.id === visitorId || chatIds.includes(chat.id)) removeChat(chat.id);
  }
  if (!state.selected) privacy.showFor(null);
}

const webhooks = setupWebhooks({ button: $("#webhooks-btn"), token: () => state.token });
const mail = setupMail({
  outboxButton: $("#mail-btn"),
  outboxDialog: $("#mail-dialog"),
  sendButton: $("[data-testid=send-transcript]"),
  sendDialog: $("#send-transcript-dialog"),
  token: () => state.token,
  selectedChat: () => state.selected && state.chats.get(state.selected),
});

const offlineInbox = setupOfflineInbox({
  button: $("#offline-btn"),
  dialog: $("#offline-dialog"),
  token: () => state.token,
  closeChat: (id) => state.socket.send({ type: "chat.close", chat_id: id }),
});
setupOfficeHours({ button: $("#hours-btn"), dialog: $("#hours-dialog"), token: () => state.token, siteId: () => state.me.site_id });

// ------------------------------------------------------------------ notifications
$("#notify-btn").addEventListener("click", async () => {
  if ("Notification" in window) await Notification.requestPermission();
  beep();
  const granted = Notification.permission === "granted";
  $("#notify-btn").textContent = t(granted ? "notify_on" : "notify_blocked");
});

let audio = null;
function beep() {
  try {
    audio = audio || new AudioContext();
    const osc = audio.createOscillator();
    const gain = audio.createGain();
    osc.frequency.value = 880;
    gain.gain.setValueAtTime(0.12, audio.currentTime);
    gain.gain.exponentialRampToValueAtTime(0.001, audio.currentTime + 0.35);
    osc.connect(gain).connect(audio.destination);
    osc.start();
    osc.stop(audio.currentTime + 0.35);
  } catch {
    /* no sound available */
  }
}

function notify(title, body) {
  beep();
  if (document.hidden && "Notification" in window && Notification.permission === "granted") {
    const n = new Notification(title, { body: String(body).slice(0, 140), tag: "parley" });
    n.onclick = () => window.focus();
  }
}

function toast(message) {
  const t = el("div", { class: "toast" }, message);
  $("#toasts").append(t);
  setTimeout(() => t.remove(), 5000);
}

function banner(message) {
  $("#banner").textContent = message;
  $("#banner").hidden = false;
}

document.addEventListener("visibilitychange", () => {
  if (!document.hidden && state.selected) {
    const chat = state.chats.get(state.selected);
    if (chat) chat.unread = 0;
    renderList();
  }
});
setInterval(renderList, 15000); // waiting times

if (state.token) start();
else showLogin();
