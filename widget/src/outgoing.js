// @ts-check
/** What the visitor sends in a chat (the start, messages, the close), from the socket's outbox:
 * sent after history on every connection until acknowledged. */
import { S, chatOpen, send, socket } from "./core.js";
import { flushContact } from "./views/contact.js";

/** Sends whatever of ours has not reached the server on this connection yet. */
export function flush() {
  if (!socket.open) return;
  const chat = S.chat;
  if (chat && socket.seq.isResuming(chat.id)) return; // after resume.done: history first, then our news
  socket.flushOutbox((p) => {
    if (p.start) {
      if (chat) return null;
      /** @type {Record<string, any>} */
      const start = { type: "chat.start", pre_chat: p.pre, message: p.body, client_msg_id: p.cid };
      if (S.invitationId) start.invitation_id = S.invitationId;
      return start;
    }
    if (!chat || !chatOpen() || p.chatId !== chat.id) return null;
    /** @type {Record<string, any>} */
    const frame = { type: "message.send", chat_id: chat.id, client_msg_id: p.cid, body: p.body };
    if (p.attachmentIds) frame.attachment_ids = p.attachmentIds;
    return frame;
  });
  if (S.wantClose && chat && chatOpen() && send({ type: "chat.close", chat_id: chat.id })) S.wantClose = false;
  flushContact(); // after the chat.start above: the card's name and e-mail (views/contact.js)
}
