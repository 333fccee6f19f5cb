// The supervisor view: every open chat, the queue and every agent, live over the socket.
// Opening a chat monitors it silently; from there, whisper, join, or take over. The tiles on top
// are the server's kpi.tiles, the dashboard's figures. Texts come from the console catalogues.
import { AgentSocket, TOKEN_KEY, api, el } from "./parley-client.js";
import { renderMessage } from "./messages.js";
import { applyTexts, language, languageMenu, t } from "./i18n.js";

applyTexts();
document.querySelector(".topbar .spacer").after(languageMenu());

// What each state means to a supervisor: a queued chat waits; an active one is being answered.
const CHAT_STATES = { queued: t("sup_state_queued"), offered: t("sup_state_offered"), active: t("sup_state_active"), offline: t("sup_state_offline") };
const AGENT_STATES = { online: t("adm_status_online"), busy: t("adm_status_busy"), away: t("adm_status_away"), offline: t("adm_status_offline") };

// A time span as the chosen language writes it: "45 s", "3 min", "1 h 5 min".
function span(seconds) {
  const unit = (n, u) => new Intl.NumberFormat(language(), { style: "unit", unit: u, unitDisplay: "short" }).format(n);
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return unit(s, "second");
  if (s < 3600) return unit(Math.floor(s / 60), "minute");
  return `${unit(Math.floor(s / 3600), "hour")} ${unit(Math.floor(s / 60) % 60, "minute")}`;
}
const since = (iso) => (iso ? span((Date.now() - Date.parse(iso)) / 1000) : "");
const percent = (p) => (p == null ? "–" : new Intl.NumberFormat(language(), { style: "percent", maximumFractionDigits: 0 }).format(p / 100));

const $ = (sel) => document.querySelector(sel);
const token = localStorage.getItem(TOKEN_KEY);
const state = { me: null, chats: new Map(), agents: new Map(), queue: {}, watching: null, messages: [], takingOver: null, tiles: null };

if (!token) location.href = "/console";
const socket = new AgentSocket(token, "&presence=keep");

async function load() {
  try {
    const data = await api("/supervisor/overview", { token });
    state.chats = new Map(data.chats.map((c) => [c.id, c]));
    state.agents = new Map(data.agents.map((a) => [a.id, a]));
    state.queue = data.queue;
    render();
  } catch (e) {
    banner(e.status === 403 ? t("sup_refused") : t("sup_load_error", { error: e.message }));
  }
}

socket.addEventListener("open", () => {
  $("[data-testid=connection]").textContent = t("connected");
  $("[data-testid=connection]").classList.remove("down");
  load(); // after every (re)connect: fresh state, then live updates
});
socket.addEventListener("close", (ev) => {
  if (state.takingOver) tookOver(state.takingOver, t("sup_connection_dropped"));
  $("[data-testid=connection]").textContent = t("reconnecting");
  $("[data-testid=connection]").classList.add("down");
  if (ev.detail === 4401) location.href = "/console";
});
socket.addEventListener("message", (ev) => {
  if (ev.detail.chat_id !== state.watching) return;
  state.messages.push(ev.detail.message);
  renderMonitor();
});
socket.addEventListener("frame", (ev) => {
  const f = ev.detail;
  switch (f.type) {
    case "hello":
      state.me = f.agent;
      $("#me-name").textContent = f.agent.name;
      if (state.watching) socket.send({ type: "chat.monitor", chat_id: state.watching });
      break;
    case "supervisor.chat":
      if (f.chat.status === "closed") state.chats.delete(f.chat.id);
      else state.chats.set(f.chat.id, f.chat);
      render();
      break;
    case "supervisor.activity": {
      const c = state.chats.get(f.chat_id);
      if (c) {
        if (f.author_type === "visitor") c.unanswered_since = c.unanswered_since || f.at;
        else c.unanswered_since = null;
        render();
      }
      break;
    }
    case "presence.update": {
      const a = state.agents.get(f.agent_id);
      if (a) Object.assign(a, { status: f.status, active_chats: f.active_chats });
      render();
      break;
    }
    case "kpi.tiles":
      state.tiles = f;
      renderTiles();
      break;
    case "queue.update":
      state.queue = f.waiting;
      render();
      break;
    case "chat.monitoring":
      socket.track(f.chat_id);
      break;
    case "chat.assigned":
      tookOver(f.chat_id, null);
      break;
    case "typing":
      if (f.chat_id === state.watching) {
        const typing = $("[data-testid=typing]");
        typing.hidden = !f.active;
        typing.textContent = t("sup_typing", { name: f.author.name || t("sup_someone") });
      }
      break;
    case "chat.closed":
      if (f.chat_id === state.watching) banner(t("sup_chat_ended"));
      break;
    case "visitor.updated": { // the visitor gave their name or e-mail in the chat
      const c = state.chats.get(f.chat_id);
      if (c) {
        if (f.name) c.visitor.name = f.name;
        render();
        if (f.chat_id === state.watching) renderMonitor();
      }
      break;
    }
    case "visitor.erased": // an admin erased the visitor: their chats are gone
      for (const id of f.chat_ids) state.chats.delete(id);
      render();
      break;
    case "error":
      if (!(f.chat_id && tookOver(f.chat_id, f.message))) toast(f.message);
      break;
    default:
      break;
  }
});
socket.connect();

function render() {
  // Rows are rebuilt on every change: keyboard focus on a row stays on that chat's row.
  const focused = document.activeElement && document.activeElement.closest("[data-testid=chat-row]");
  const focusedId = focused && focused.dataset.chatId;
  const rows = [...state.chats.values()].sort((a, b) => (a.created_at < b.created_at ? -1 : 1));
  $("[data-testid=chat-grid] tbody").replaceChildren(
    ...rows.map((c) => {
      const late = c.unanswered_since && Date.now() - Date.parse(c.unanswered_since) > 60000;
      return el(
        "tr",
        {
          class: ["chat-row", late && "late", c.id === state.watching && "selected"].filter(Boolean).join(" "),
          "data-testid": "chat-row",
          "data-chat-id": c.id,
          "data-status": c.status,
          onclick: () => watch(c.id),
        },
        // The visitor's name is the row's button: reached with Tab, opened with Enter.
        el("td", {}, el("button", { type: "button", class: "row-open", "aria-pressed": String(c.id === state.watching) }, c.visitor.name)),
        el("td", {}, c.agent ? c.agent.name : "—"),
        el("td", {}, c.skill || "—"),
        el("td", {}, el("span", { class: `status-pill status-${c.status}`, "data-testid": "chat-state" }, CHAT_STATES[c.status] || c.status)),
        el("td", { title: new Date(c.created_at).toLocaleString(language()) }, since(c.created_at)),
        el("td", { class: "unanswered", "data-testid": "unanswered" }, c.unanswered_since ? since(c.unanswered_since) : "—"),
      );
    }),
  );
  if (focusedId) {
    const again = document.querySelector(`[data-testid=chat-row][data-chat-id="${CSS.escape(focusedId)}"] button`);
    if (again) again.focus();
  }
  $(".empty-grid").hidden = rows.length > 0;
  const agents = [...state.agents.values()].sort((a, b) => a.name.localeCompare(b.name, language()));
  $("[data-testid=agent-grid] tbody").replaceChildren(
    ...agents.map((a) =>
      el(
        "tr",
        { "data-testid": "agent-row", "data-agent-id": a.id },
        el("td", {}, a.name),
        el("td", {}, el("span", { class: `status-pill status-${a.status}` }, AGENT_STATES[a.status] || a.status)),
        el("td", {}, `${a.active_chats} / ${a.max_chats}`),
      ),
    ),
  );
  const waiting = Object.entries(state.queue || {});
  const total = waiting.reduce((n, [, k]) => n + k, 0);
  $("[data-testid=queue-count]").textContent = t("waiting", { n: total });
  $("[data-testid=queue-count]").classList.toggle("busy", total > 0);
  $("[data-testid=queue-by-skill]").replaceChildren(
    ...(waiting.length ? waiting.map(([skill, n]) => el("li", {}, `${skill || t("sup_any_skill")}: ${n}`)) : [el("li", { class: "muted" }, t("sup_nobody_waiting"))]),
  );
  renderTiles();
}

function renderTiles() {
  const tiles = state.tiles;
  if (!tiles) return;
  const set = (name, text) => ($(`[data-tile=${name}]`).textContent = text);
  const n = (x) => new Intl.NumberFormat(language()).format(x);
  set("active", n(tiles.chats_active));
  set("queue", n(tiles.queue));
  set("longest", tiles.longest_wait_since ? since(tiles.longest_wait_since) : "–");
  set("online", `${n(tiles.agents_online)} (${n(tiles.load)} / ${n(tiles.capacity)})`);
  set("today60", percent(tiles.answered_within_60s_pct_today));
}

function watch(chatId) {
  if (state.watching) socket.forget(state.watching);
  state.watching = chatId;
  state.messages = [];
  const c = state.chats.get(chatId);
  $("[data-testid=monitor]").hidden = false;
  $("[data-testid=monitor-title]").textContent = t("sup_monitoring_who", { name: c ? c.visitor.name : "" });
  $("[data-testid=send-public]").hidden = true;
  outcome("");
  socket.send({ type: "chat.monitor", chat_id: chatId });
  render();
  renderMonitor();
  $("[data-testid=monitor]").scrollIntoView({ block: "nearest" });
}

function renderMonitor() {
  const box = $("[data-testid=monitor] [data-testid=messages]");
  box.replaceChildren(...state.messages.map((m) => renderMessage(m, { viewer: "agent", token })));
  box.scrollTop = box.scrollHeight;
}

function sendFrom(kind) {
  const text = $("[data-testid=whisper]").value.trim();
  if (!text || !state.watching) return;
  socket.sendMessage(state.watching, text, kind);
  $("[data-testid=whisper]").value = "";
}

$("[data-testid=send-whisper]").addEventListener("click", () => sendFrom("whisper"));
$("[data-testid=send-public]").addEventListener("click", () => sendFrom("public"));
$("[data-testid=whisper]").addEventListener("keydown", (ev) => {
  if (ev.key === "Enter" && !ev.shiftKey) {
    ev.preventDefault();
    sendFrom("whisper");
  }
});
$("[data-testid=join]").addEventListener("click", () => {
  socket.send({ type: "chat.join", chat_id: state.watching });
  $("[data-testid=send-public]").hidden = false;
});
// A take-over shows what the server answered (the chat arriving, or its refusal), never a guess.
$("[data-testid=take-over]").addEventListener("click", () => {
  if (!state.me || !state.watching || state.takingOver) return;
  const chatId = state.watching;
  if (!socket.send({ type: "chat.transfer", chat_id: chatId, to_agent_id: state.me.id })) {
    outcome(t("sup_not_connected"), "error");
    return;
  }
  state.takingOver = chatId;
  $("[data-testid=take-over]").disabled = true;
  outcome(t("sup_taking_over"), "pending");
});

function tookOver(chatId, error) {
  if (state.takingOver !== chatId) return false;
  state.takingOver = null;
  $("[data-testid=take-over]").disabled = false;
  if (chatId !== state.watching) return true;
  if (error) outcome(t("sup_take_over_failed", { error }), "error");
  else outcome(t("sup_take_over_done"), "ok");
  return true;
}

function outcome(text, kind) {
  const box = $("[data-testid=take-over-result]");
  box.textContent = text || "";
  box.dataset.outcome = kind || "";
  box.hidden = !text;
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

setInterval(render, 10000); // waiting times and the 60-second highlight
