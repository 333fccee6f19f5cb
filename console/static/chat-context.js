// The visitor column beside the open chat: who the visitor is (e-mail, visits, the verified
// customer id and CRM attributes), their pre-chat answers, the pages they looked at and their
// earlier chats. Fetched once per chat when it is first opened; live page views are added.
import { api, el } from "./parley-client.js";
import { $, selectedChat, state, visitorName } from "./chat-state.js";
import { renderMessage } from "./messages.js";
import { trailEvent, trailItems } from "./trail.js";
import { t } from "./i18n.js";
import { absolute } from "./reltime.js";

/** @type {{showFor: (visitor: any) => void}} */
let privacy = { showFor: () => {} };

/** The privacy actions shown for the open chat's visitor (admins only; privacy.js). */
export function usePrivacy(p) {
  privacy = p;
}

/** Draws the column for `chat` at once, then fetches the rest (once) and draws again. */
export async function loadContext(chat) {
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

export function renderContext() {
  const chat = selectedChat();
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
    ...(attributes.length ? attributes.flatMap(([k, val]) => [el("dt", {}, k), el("dd", {}, typeof val === "object" ? JSON.stringify(val) : String(val))]) : [el("dt", { class: "sr" }, t("crm")), el("dd", { class: "muted" }, "—")]),
  );
  // Answers beyond name and e-mail; with none, the heading goes too (no empty section).
  const pre = Object.entries(chat.summary.pre_chat || {}).filter(([k]) => k !== "name" && k !== "email");
  $("[data-testid=context-prechat]").replaceChildren(...pre.flatMap(([k, val]) => [el("dt", {}, k), el("dd", {}, String(val))]));
  $("[data-testid=context-prechat]").hidden = pre.length === 0;
  $("#prechat-heading").hidden = pre.length === 0;
  $("[data-testid=page-trail]").replaceChildren(...trailItems(chat.pages));
  const previous = ((chat.context && chat.context.chats) || []).filter((c) => c.id !== chat.id);
  $("[data-testid=previous-chats]").replaceChildren(
    ...(previous.length
      ? previous.map((c) => el("li", {}, el("button", { class: "link", type: "button", onclick: () => showTranscript(c.id) }, absolute(c.created_at))))
      : [el("li", { class: "muted" }, t("first_chat"))]),
  );
}

async function showTranscript(chatId) {
  const dialog = $("#transcript-dialog");
  const box = $(".transcript", dialog);
  box.replaceChildren(el("p", { class: "muted" }, t("loading")));
  dialog.showModal();
  try {
    const out = await api(`/chats/${chatId}/messages`, { token: state.token });
    box.replaceChildren(...out.items.map((m) => renderMessage(m, { viewer: "agent", token: state.token })));
  } catch (e) {
    box.replaceChildren(el("p", { class: "error" }, e.message));
  }
}
