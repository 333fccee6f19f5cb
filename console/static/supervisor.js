// The supervisor view: every open chat, the queue and every agent, live over the socket.
// Opening a chat monitors it silently; from there, whisper, join, or take over.
import { AgentSocket, TOKEN_KEY, ago, api, el } from "./parley-client.js";
import { renderMessage } from "./messages.js";

const $ = (sel) => document.querySelector(sel);
const token = localStorage.getItem(TOKEN_KEY);
const state = { me: null, chats: new Map(), agents: new Map(), queue: {}, watching: null, messages: [], takingOver: null };

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
    banner(e.status === 403 ? "The supervisor view is for supervisors and admins." : "Could not load: " + e.message);
  }
}

socket.addEventListener("open", () => {
  $("[data-testid=connection]").textContent = "Connected";
  $("[data-testid=connection]").classList.remove("down");
  load(); // after every (re)connect: fresh state, then live updates
});
socket.addEventListener("close", (ev) => {
  if (state.takingOver) tookOver(state.takingOver, "the connection dropped; check the chat's agent before trying again");
  $("[data-testid=connection]").textContent = "Reconnecting…";
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
        const t = $("[data-testid=typing]");
        t.hidden = !f.active;
        t.textContent = `${f.author.name || "Someone"} is typing…`;
      }
      break;
    case "chat.closed":
      if (f.chat_id === state.watching) banner("That chat has ended.");
      break;
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
          onclick: () => watch(c.id),
        },
        el("td", {}, c.visitor.name),
        el("td", {}, c.agent ? c.agent.name : "—"),
        el("td", {}, c.skill || "—"),
        el("td", {}, el("span", { class: `status-pill status-${c.status}` }, c.status)),
        el("td", {}, ago(c.created_at)),
        el("td", { class: "unanswered", "data-testid": "unanswered" }, c.unanswered_since ? ago(c.unanswered_since) : "—"),
      );
    }),
  );
  $(".empty-grid").hidden = rows.length > 0;
  const agents = [...state.agents.values()].sort((a, b) => a.name.localeCompare(b.name));
  $("[data-testid=agent-grid] tbody").replaceChildren(
    ...agents.map((a) =>
      el(
        "tr",
        { "data-testid": "agent-row", "data-agent-id": a.id },
        el("td", {}, a.name),
        el("td", {}, el("span", { class: `status-pill status-${a.status}` }, a.status)),
        el("td", {}, `${a.active_chats} / ${a.max_chats}`),
      ),
    ),
  );
  const waiting = Object.entries(state.queue || {});
  const total = waiting.reduce((n, [, k]) => n + k, 0);
  $("[data-testid=queue-count]").textContent = `${total} waiting`;
  $("[data-testid=queue-count]").classList.toggle("busy", total > 0);
  $("[data-testid=queue-by-skill]").replaceChildren(
    ...(waiting.length ? waiting.map(([skill, n]) => el("li", {}, `${skill || "any"}: ${n}`)) : [el("li", { class: "muted" }, "Nobody is waiting")]),
  );
}

function watch(chatId) {
  if (state.watching) socket.forget(state.watching);
  state.watching = chatId;
  state.messages = [];
  const c = state.chats.get(chatId);
  $("[data-testid=monitor]").hidden = false;
  $("[data-testid=monitor-title]").textContent = `Monitoring ${c ? c.visitor.name : ""}`;
  $("[data-testid=send-public]").hidden = true;
  outcome("");
  socket.send({ type: "chat.monitor", chat_id: chatId });
  render();
  renderMonitor();
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
    outcome("Not connected to the server: try again in a moment.", "error");
    return;
  }
  state.takingOver = chatId;
  $("[data-testid=take-over]").disabled = true;
  outcome("Taking over…", "pending");
});

function tookOver(chatId, error) {
  if (state.takingOver !== chatId) return false;
  state.takingOver = null;
  $("[data-testid=take-over]").disabled = false;
  if (chatId !== state.watching) return true;
  if (error) outcome("Could not take over: " + error, "error");
  else outcome("The chat is yours: answer it in the agent console.", "ok");
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
