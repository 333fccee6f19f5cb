// The list of the agent's chats: which are open, offered, waiting for an answer, unread; and
// which one is open in the middle. It is a listbox: Tab reaches the open chat, the arrows (and
// Home/End) open the next ones, Enter moves on to the composer; Alt+Up/Down and Alt+1..9 work
// from anywhere in the console.
import { el } from "./parley-client.js";
import { $, state, visitorName } from "./chat-state.js";
import { renderChat } from "./chat-view.js";
import { loadContext } from "./chat-context.js";
import { focusComposer, switchDraft } from "./chat-composer.js";
import { since } from "./reltime.js";
import { t } from "./i18n.js";

/** Adds a chat the server told us of (hello, assigned, offered), or updates it. */
export function upsertChat(summary, { offered }) {
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

export function removeChat(id) {
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

/** Opens chat `id` in the middle column (its draft, messages and visitor). */
export function select(id) {
  const prev = state.selected && state.chats.get(state.selected);
  const chat = state.chats.get(id);
  if (!chat) return;
  state.selected = id;
  chat.unread = 0;
  showChat(true);
  switchDraft(prev, chat);
  renderList();
  renderChat(id);
  loadContext(chat);
}

export function showChat(on) {
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

/** Initials for a visitor without a photo: "Maja Berg" -> "MB". */
function initials(name) {
  const parts = String(name).trim().split(/\s+/).filter(Boolean);
  return ((parts[0] || "?")[0] + (parts.length > 1 ? parts[parts.length - 1][0] : "")).toUpperCase();
}

function avatar(summary) {
  const url = summary.visitor && summary.visitor.avatar_url;
  if (url) return el("img", { class: "avatar list-avatar", src: url, alt: "" });
  return el("span", { class: "avatar list-avatar initials", "aria-hidden": "true" }, initials(visitorName(summary)));
}

function visibleOrder() {
  return [...state.order].sort((a, b) => {
    const ca = state.chats.get(a);
    const cb = state.chats.get(b);
    return (cb.unread > 0) - (ca.unread > 0) || 0;
  });
}

/** The visitor gave their name or e-mail in the chat (`visitor.updated`): every chat of theirs
 * is relabelled in the list. Returns whether one of ours was. */
export function relabelVisitor(visitorId, { name, email }) {
  let found = false;
  for (const chat of state.chats.values()) {
    const v = chat.summary.visitor;
    if (!v || v.id !== visitorId) continue;
    if (name) v.name = name;
    if (email) v.email = email;
    found = true;
  }
  if (found) renderList();
  return found;
}

export function renderList() {
  const list = $("[data-testid=chat-list]");
  const focused = list.contains(document.activeElement);
  const ids = visibleOrder();
  list.replaceChildren(
    ...ids.map((id, i) => {
      const chat = state.chats.get(id);
      const last = chat.messages[chat.messages.length - 1];
      const waiting = waitingSince(chat);
      const current = id === state.selected;
      return el(
        "li",
        {
          "data-testid": "chat-item",
          "data-chat-id": id,
          id: `chat-item-${id}`,
          role: "option",
          "aria-selected": String(current),
          tabindex: current || (!state.selected && i === 0) ? "0" : "-1",
          class: ["chat-item", current && "selected", chat.ended && "ended", chat.offered && "offered"].filter(Boolean).join(" "),
          title: i < 9 ? `Alt+${i + 1}` : undefined,
          onclick: () => select(id),
        },
        avatar(chat.summary),
        el(
          "div",
          { class: "chat-item-text" },
          el(
            "div",
            { class: "row" },
            el("span", { class: "name" }, visitorName(chat.summary)),
            el("span", { class: "unread", "data-testid": "unread", hidden: chat.unread === 0 }, String(chat.unread), el("span", { class: "sr" }, " " + t("unread"))),
          ),
          el("div", { class: "preview" }, chat.offered ? t("offered_preview") : chat.ended || (last ? last.body : "…")),
          waiting ? el("div", { class: "waiting", "data-since": waiting }, t("waiting_for", { time: since(waiting) })) : null,
        ),
      );
    }),
  );
  if (focused) {
    const current = list.querySelector('[tabindex="0"]');
    if (current) current.focus();
  }
  $(".empty-list").hidden = state.order.length > 0;
  const total = [...state.chats.values()].reduce((n, c) => n + c.unread, 0);
  document.title = (total ? `(${total}) ` : "") + t("console_title");
}

/** Arrow keys, Home/End and Enter in the list; Alt shortcuts everywhere. */
export function setupChatKeys() {
  const list = $("[data-testid=chat-list]");
  list.addEventListener("keydown", (ev) => {
    if (ev.altKey || ev.ctrlKey || ev.metaKey) return;
    const ids = visibleOrder();
    if (!ids.length) return;
    const i = Math.max(0, ids.indexOf(state.selected));
    let next = null;
    if (ev.key === "ArrowDown") next = ids[Math.min(ids.length - 1, i + 1)];
    else if (ev.key === "ArrowUp") next = ids[Math.max(0, i - 1)];
    else if (ev.key === "Home") next = ids[0];
    else if (ev.key === "End") next = ids[ids.length - 1];
    else if (ev.key === "Enter" || ev.key === " ") {
      ev.preventDefault();
      const item = /** @type {HTMLElement} */ (ev.target).closest("[data-chat-id]");
      if (item && item.getAttribute("data-chat-id") !== state.selected) select(item.getAttribute("data-chat-id"));
      if (ev.key === "Enter") focusComposer();
      return;
    }
    if (!next) return;
    ev.preventDefault();
    if (next !== state.selected) select(next);
    const item = list.querySelector(`[data-chat-id="${next}"]`);
    if (item) item.focus();
  });

  // Keyboard: Alt+Up/Down moves between chats, Alt+1..9 jumps.
  document.addEventListener("keydown", (ev) => {
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
}
