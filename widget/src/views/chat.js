// @ts-check
/** The chat view's composer and typing indicators (ours to the agent, the agent's to us). */
import { forgetChat } from "../chat.js";
import { S, MAX_BODY, chatOpen, ensureSocket, send, socket, ui } from "../core.js";
import { flush } from "../outgoing.js";
import { addOwn, nearBottom, toBottom } from "./messages.js";
import { prefill } from "./prechat.js";
import { focusFirst } from "../panel.js";
import { number, t } from "../i18n.js";

const TYPING_THROTTLE = 2000;
const TYPING_IDLE = 3000;
const TYPING_SHOW = 6000;

let typingActive = false;
let typingSentAt = 0;
let typingIdle = /** @type {any} */ (0);
let agentTypingTimer = /** @type {any} */ (0);
let agentTypingWho = /** @type {string | null} */ (null);

export const agentTyping = () => agentTypingWho;

export function autosize() {
  const c = ui.composer;
  c.setCustomValidity("");
  c.style.height = "auto";
  c.style.height = Math.min(c.scrollHeight, 120) + "px";
}

export function onComposerInput() {
  autosize();
  const chat = S.chat;
  if (!chat || !chatOpen() || !socket.open) return;
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

export function stopTyping() {
  clearTimeout(typingIdle);
  if (typingActive && S.chat) send({ type: "typing", chat_id: S.chat.id, active: false });
  typingActive = false;
  typingSentAt = 0;
}

/** The connection dropped: whatever we said about typing is gone with it. */
export function resetTyping() {
  typingActive = false;
  typingSentAt = 0;
  clearTimeout(typingIdle);
}

/** @param {any} author */
export function showAgentTyping(author) {
  const name = author.name || t("your_agent");
  agentTypingWho = author.id || author.name || null;
  const stick = nearBottom();
  ui.typingText.textContent = t("typing", { name });
  ui.typing.hidden = false;
  if (stick) toBottom();
  clearTimeout(agentTypingTimer);
  agentTypingTimer = setTimeout(hideAgentTyping, TYPING_SHOW);
}

export function hideAgentTyping() {
  clearTimeout(agentTypingTimer);
  agentTypingWho = null;
  if (ui.typing) ui.typing.hidden = true;
}

export function sendComposer() {
  const text = ui.composer.value.trim();
  if (!text || (S.chat && S.chat.status === "closed")) return;
  if (text.length > MAX_BODY) {
    ui.composer.setCustomValidity(t("message_too_long", { max: number(MAX_BODY) }));
    ui.composer.reportValidity();
    return;
  }
  ui.composer.value = "";
  autosize();
  stopTyping();
  addOwn(text, S.chat ? S.chat.id : null, false, null);
  ensureSocket();
  flush();
}

/** "End chat": first asks whether they mean it (the chat cannot be picked up again). */
export function askEndChat() {
  if (!chatOpen()) return;
  ui.endConfirm.hidden = false;
  ui.endChat.setAttribute("aria-expanded", "true");
  /** @type {HTMLElement} */ (ui.endConfirm.querySelector("[data-testid=end-chat-cancel]")).focus();
}

export function cancelEndChat() {
  ui.endConfirm.hidden = true;
  ui.endChat.setAttribute("aria-expanded", "false");
  ui.composer.focus();
}

export function endChat() {
  ui.endConfirm.hidden = true;
  if (!chatOpen()) return;
  ui.endChat.disabled = true;
  S.wantClose = true;
  ensureSocket();
  flush();
}

export function newChat() {
  forgetChat();
  prefill();
  focusFirst();
}
