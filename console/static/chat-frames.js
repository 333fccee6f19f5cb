// What the agent socket's frames do to the chat view, in one switch: which chats are ours
// (hello after every reconnect, assigned, offered, moved, closed), new messages, typing,
// presence, the queue and the visitors' page views. Kept apart from the drawing so one place
// answers "what happens when the server says X".
import { $, state, visitorName } from "./chat-state.js";
import { relabelVisitor, removeChat, renderList, upsertChat } from "./chat-list.js";
import { appendMessage, markPending, renderChat, renderMessages, showTyping } from "./chat-view.js";
import { renderContext } from "./chat-context.js";
import { onPresence, showStatus } from "./chat-status.js";
import { renderMe } from "./chat-profile.js";
import { announce, banner, notify, toast } from "./chat-notify.js";
import { trailEvent } from "./trail.js";
import { t } from "./i18n.js";

const STAFF = ["supervisor", "admin"];

/**
 * @param {{privacy: any, webhooks: any, mail: any, offlineInbox: any}} tools the top bar's
 *   other features, told who signed in
 */
export function frameHandlers({ privacy, webhooks, mail, offlineInbox }) {
  function onHello(f) {
    state.me = f.agent;
    renderMe();
    showStatus(f.agent.status);
    const role = f.agent.role;
    $("#supervisor-link").hidden = !STAFF.includes(role);
    $("#dashboard-link").hidden = !STAFF.includes(role);
    $("#admin-link").hidden = !STAFF.includes(role);
    $("#team-btn").hidden = role !== "admin";
    $("#api-tokens-btn").hidden = role !== "admin";
    $("#mail-btn").hidden = role !== "admin";
    privacy.setAdmin(role === "admin");
    $("#triggers-link").hidden = role !== "admin";
    webhooks.signedIn(role);
    mail.loadStatus(); // whether "Send transcript" can work, and if not, why
    $("#hours-link").hidden = role !== "admin";
    offlineInbox.refresh();
    // Supervisors and admins come in watching (away): say how to take customers.
    if (STAFF.includes(role) && f.agent.status === "away") banner(t("watching_banner"));
    // Chats that closed or moved while we were away are no longer ours: say so, keep the text.
    for (const chat of state.chats.values()) {
      if (!chat.ended && !f.chats.some((c) => c.id === chat.id)) {
        chat.status = "closed";
        chat.ended = t("ended_offline");
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
  }

  function onFrame(f) {
    switch (f.type) {
      case "hello":
        onHello(f);
        break;
      case "chat.assigned":
        upsertChat(f.chat, { offered: false });
        notify(t("new_chat"), t("new_chat_body", { name: visitorName(f.chat) }));
        announce(t("new_chat_body", { name: visitorName(f.chat) }));
        break;
      case "chat.offered":
        upsertChat(f.chat, { offered: true });
        notify(t("chat_offered"), t("chat_offered_body", { name: visitorName(f.chat) }));
        announce(t("chat_offered_body", { name: visitorName(f.chat) }));
        break;
      case "chat.offer_expired":
      case "chat.unassigned":
        removeChat(f.chat_id);
        break;
      case "chat.transferred":
        if (state.me && f.to_agent_id !== state.me.id && state.chats.has(f.chat_id)) {
          const chat = state.chats.get(f.chat_id);
          chat.ended = t("transferred_to", { name: f.agent ? f.agent.name : t("a_colleague") });
          chat.status = "transferred";
          renderChat(f.chat_id);
        }
        break;
      case "chat.closed": {
        const chat = state.chats.get(f.chat_id);
        if (chat) {
          chat.status = "closed";
          if (f.reason === "visitor_left") chat.ended = t("ended_visitor_left");
          else chat.ended = f.closed_by === "visitor" ? t("ended_by_visitor") : t("ended_closed");
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
        // Named as the console knows the visitor now (the name may have come after the chat began).
        if (f.author && f.author.type === "visitor") showTyping(f.chat_id, null, f.active);
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
      case "visitor.updated": {
        // Asked after the first message: the visitor's name and e-mail arrive mid-chat.
        const selected = state.chats.get(state.selected);
        if (relabelVisitor(f.visitor_id, f) && selected && selected.summary.visitor.id === f.visitor_id) {
          renderChat(state.selected);
          renderContext();
        }
        break;
      }
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

  /** A stored message of one of our chats (the socket drops repeats and out-of-order ones). */
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
    // The open chat's log is read out by itself (role=log); other chats' news is announced.
    if (live && m.author.type === "visitor" && chat.id !== state.selected) {
      announce(t("new_message_from", { name: visitorName(chat.summary), text: String(m.body).slice(0, 200) }));
    }
    if (m.author.type === "visitor") showTyping(chat.id, null, false);
    renderList();
    if (chat.id === state.selected) appendMessage(m, pending);
  }

  // An erased visitor's chats leave the list (here, and in every console of the site).
  function forgetVisitor(visitorId, chatIds) {
    for (const chat of [...state.chats.values()]) {
      if (chat.summary.visitor.id === visitorId || chatIds.includes(chat.id)) removeChat(chat.id);
    }
    if (!state.selected) privacy.showFor(null);
  }

  return { onFrame, onMessage, forgetVisitor };
}
