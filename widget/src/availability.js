// @ts-check
/** Whether the site takes live chats now (the widget session's `config.available`), as the
 * loader needs it: the shop may hide the bubble while nobody can answer. */
import { S } from "./state.js";

/** Hidden: the site says so, it is unavailable, and the visitor has no chat to come back to. */
export function bubbleHidden() {
  const c = S.config;
  return !!c && c.hide_when_offline === true && c.available === false && !(c.active_chat && c.active_chat.id);
}
