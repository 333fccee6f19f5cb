// The open conversation: its header and buttons, the messages (consecutive ones of one author
// grouped under a single name), the end note and rating, and "is typing…". Only the chat that
// is open is drawn; the other chats' messages wait in the state until they are opened.
import { api, el } from "./parley-client.js";
import { $, selectedChat, state, visitorName } from "./chat-state.js";
import { authorKey, renderMessage, sameAuthor } from "./messages.js";
import { t } from "./i18n.js";

/** Header, buttons and messages of chat `id`, if it is the open one. */
export function renderChat(id) {
  if (id !== state.selected) return;
  const chat = state.chats.get(id);
  $("[data-testid=chat-title]").textContent = visitorName(chat.summary);
  const sub = [chat.summary.visitor.email, chat.summary.skill && t("skill_sub", { skill: chat.summary.skill })].filter(Boolean);
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

/** The open chat's messages (pending ones last), redrawn from the state. */
export function renderMessages() {
  const chat = selectedChat();
  if (!chat) return;
  const box = $("[data-testid=messages]");
  const all = [...chat.messages, ...chat.pending.values()];
  const visitor = visitorName(chat.summary);
  box.replaceChildren(...all.map((m, i) => renderMessage(m, { viewer: "agent", token: state.token, visitorName: visitor, grouped: i > 0 && sameAuthor(all[i - 1], m) })));
  if (chat.ended) box.append(el("div", { class: "ended-note" }, chat.ended));
  if (chat.survey) box.append(surveyNote(chat.survey));
  else if (chat.ended && !chat.surveyAsked) loadSurvey(chat);
  box.scrollTop = box.scrollHeight;
}

/** One new message at the end of the open chat (a redraw when it replaces a pending one). */
export function appendMessage(m, replaced) {
  if (replaced) return renderMessages();
  const box = $("[data-testid=messages]");
  const nearBottom = box.scrollHeight - box.scrollTop - box.clientHeight < 80;
  // Grouped under the bubble before it when that one (in the box, pending or not) is the same author's.
  const last = box.lastElementChild;
  const grouped = Boolean(last && last.getAttribute("data-author-key") === authorKey(m));
  const chat = selectedChat();
  const visitor = chat ? visitorName(chat.summary) : undefined;
  box.append(renderMessage(m, { viewer: "agent", token: state.token, visitorName: visitor, grouped }));
  if (nearBottom) box.scrollTop = box.scrollHeight;
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
    `${t("rated", { rating: s.rating })} ${"★".repeat(s.rating)}`,
    s.comment ? el("q", {}, s.comment) : null,
  );
}

/** "… is typing" under the open chat; it goes by itself after 6 s without news. */
export function showTyping(chatId, name, active) {
  const chat = state.chats.get(chatId);
  if (!chat) return;
  clearTimeout(chat.typingTimer);
  chat.typing = active ? name || visitorName(chat.summary) : null;
  if (active) chat.typingTimer = setTimeout(() => showTyping(chatId, null, false), 6000);
  if (chatId === state.selected) {
    const node = $("[data-testid=typing]");
    node.hidden = !chat.typing;
    node.textContent = chat.typing ? t("is_typing", { name: chat.typing }) : "";
  }
}

/** Marks one of our pending messages acknowledged (seq) or refused (failed); false if unknown. */
export function markPending(clientMsgId, { seq, failed }) {
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
