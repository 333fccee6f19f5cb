// @ts-check
/** The visitor's chat as the server tells it: frames in, chat state and the views updated. */
import { S, chatOpen, emit, renderUnread, socket, ui } from "./core.js";
import { agentTyping, hideAgentTyping, showAgentTyping, stopTyping } from "./views/chat.js";
import { clearList, insertMessage, markFailed, markSent, messageEl, toBottom } from "./views/messages.js";
import { renderDepartments, showFormError } from "./views/prechat.js";
import { onContactError, onContactSaved } from "./views/contact.js";
import { renderComposer, renderHeader, renderStatus, showView } from "./views/status.js";
import { onFaqSuggestions } from "./views/offline.js";
import { onSurveyError, onSurveySaved } from "./views/survey.js";
import { onTranscriptError, onTranscriptQueued } from "./views/transcript.js";
import { t } from "./i18n.js";

/** Every frame but message.new (see onMessage). @param {any} f */
export function handle(f) {
  const chat = S.chat;
  const forChat = !!chat && f.chat_id === chat.id;
  switch (f.type) {
    case "hello": {
      const a = f.active_chat;
      if (a && a.id && (!chat || chat.id !== a.id)) {
        setChat(a.id, a.status, null);
        showView("chat");
      }
      break;
    }
    case "chat.started":
      S.invitationId = null; // counted with this chat; a later chat is not the invitation's
      if (f.chat_id) {
        setChat(f.chat_id, f.status, null);
        showView("chat");
      }
      break;
    case "chat.queued":
      if (chat && forChat) {
        chat.status = "queued";
        chat.queue = { position: f.position, wait: f.estimated_wait_s, available: f.agents_available !== false };
        renderStatus();
      }
      break;
    case "chat.assigned":
      if (chat && forChat) {
        chat.status = "active";
        chat.queue = null;
        if (f.agent) chat.agent = f.agent;
        renderHeader();
        renderStatus();
      }
      break;
    case "chat.transferred":
      if (chat && forChat && f.agent) {
        chat.status = "active";
        chat.agent = f.agent;
        renderHeader();
        renderStatus();
      }
      break;
    case "chat.closed":
      if (forChat) onClosed();
      break;
    case "message.ack":
      onAck(f);
      break;
    case "typing":
      if (forChat && f.author && f.author.type !== "visitor") {
        if (f.active) showAgentTyping(f.author);
        else hideAgentTyping();
      }
      break;
    case "error":
      if (!onTranscriptError(f) && !onSurveyError(f) && !onContactError(f)) onError(f);
      break;
    case "chat.offline":
      if (chat && forChat) {
        chat.status = "offline";
        renderStatus();
      }
      break;
    case "faq.suggestions":
      onFaqSuggestions(f);
      break;
    case "transcript.queued":
      onTranscriptQueued(f);
      break;
    case "survey.saved":
      onSurveySaved(f);
      break;
    case "visitor.contact.saved":
      onContactSaved(f);
      break;
    default:
      break; // pong, resync and resume.done (the client's), and whatever a newer server adds
  }
}

/** @param {string} id @param {string | null} status @param {any} agent */
export function setChat(id, status, agent) {
  if (S.chat && S.chat.id === id) {
    if (status) S.chat.status = status;
    if (agent) S.chat.agent = agent;
  } else {
    if (S.chat) {
      clearList(true);
      socket.forget(S.chat.id);
    }
    S.chat = { id, status: status || "queued", agent: agent || null, queue: null };
    // Our first message (and anything typed before the chat existed) now belongs to it.
    // Not marked as sent here: if resume doesn't bring it back, flush sends it (same id).
    for (const p of socket.outbox.values()) {
      if (!p.acked && !p.failed && (p.start || !p.chatId)) {
        p.start = false;
        p.chatId = id;
        p.sentOn = 0;
      }
    }
    socket.track(id);
  }
  if (S.chat.status === "closed") onClosed();
  renderHeader();
  renderStatus();
  renderComposer();
}

export function forgetChat() {
  if (S.chat) socket.forget(S.chat.id);
  S.chat = null;
  S.wantClose = false;
  clearList(false);
  hideAgentTyping();
  showView("prechat");
  renderHeader();
}

/** A message.new with the shared client's verdict on its seq. @param {any} f @param {string} verdict */
export function onMessage(f, verdict) {
  const m = f.message;
  const chat = S.chat;
  if (!m || !chat || f.chat_id !== chat.id || typeof m.seq !== "number" || verdict === "untracked") return;
  const author = m.author || { type: "system" };
  const own = author.type === "visitor" && m.client_msg_id ? socket.outbox.get(m.client_msg_id) : null;
  if (verdict === "old") {
    if (own && !own.acked) markSent(own, m.seq, m.created_at);
    return;
  }
  if (verdict === "gap") return; // a resume fetches it all in order
  if (own) markSent(own, m.seq, m.created_at);
  else insertMessage(messageEl(m));
  emit("message", { chat_id: chat.id, message: { ...m } });
  if (author.type === "agent") {
    const who = agentTyping();
    if (who && (who === author.id || who === author.name)) hideAgentTyping();
    if (!S.isOpen && !socket.seq.get(chat.id).initial) {
      S.unread++;
      renderUnread();
    }
  }
}

/** @param {any} f */
function onAck(f) {
  const p = socket.outbox.get(f.client_msg_id);
  if (!p || typeof f.seq !== "number") return;
  if (f.chat_id && (!S.chat || S.chat.id !== f.chat_id)) {
    if (S.chat && chatOpen()) return;
    setChat(f.chat_id, null, null);
    showView("chat");
  }
  if (!S.chat) return;
  // Ours got a number: past what we have seen, the messages in between should be on their way;
  // if they do not turn up soon, the client asks for them.
  socket.acked(S.chat.id, f.seq);
  markSent(p, f.seq, null);
}

/** @param {any} f */
function onError(f) {
  const p = f.ref ? socket.outbox.get(f.ref) : null;
  if (p && !p.acked) {
    if (p.start && !S.chat) {
      // The server refused the pre-chat form (e.g. the e-mail): back to the form.
      p.el.remove();
      socket.outbox.delete(p.cid);
      showView("prechat");
      ui.msgInput.value = p.body;
      let text = t("failed");
      if (/email/i.test(f.message || "")) text = t("check_email");
      else if (f.code === "bad_request" && /department/i.test(f.message || "")) {
        text = t("topic_unavailable");
        renderDepartments();
      }
      showFormError(text);
      return;
    }
    markFailed(p);
    return;
  }
  if (!f.ref && S.chat && socket.seq.isResuming(S.chat.id) && (f.code === "not_found" || f.code === "forbidden")) {
    // The chat we were showing is not ours (any more): start over.
    forgetChat();
    return;
  }
  console.warn("[Parley] server said:", f.code, f.message);
}

export function onClosed() {
  const chat = S.chat;
  if (!chat) return;
  chat.status = "closed";
  chat.queue = null;
  S.wantClose = false;
  hideAgentTyping();
  stopTyping();
  for (const p of socket.outbox.values()) if (!p.acked && !p.failed && p.chatId === chat.id) markFailed(p, true);
  renderHeader();
  renderStatus();
  renderComposer();
  toBottom();
}

