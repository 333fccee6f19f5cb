// @ts-check
/** The in-chat contact card of a site that asks name and e-mail `after` the first message: the
 * chat has started with the question, and under the visitor's first message a small card asks
 * how to reach them if they leave the page. It never blocks the conversation: the composer
 * works beside it, "No thanks" removes it, Save sends `visitor.contact` and the agent's console
 * relabels the chat (`visitor.updated`). A visitor we already know is not asked. */
import { h } from "../../../client/src/index.js";
import { S, ensureSocket, local, readProfile, send, ui } from "../core.js";
import { t } from "../i18n.js";
import { transcriptsOffered } from "./transcript.js";

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
let card = /** @type {HTMLElement | null} */ (null);
let pending = false;
/** A Save made while the socket was down: sent when it opens (flushContact). */
let queued = /** @type {Record<string, any> | null} */ (null);

/** Whether the visitor already told us who they are (this browser or their visitor record). */
export function knownVisitor() {
  const p = readProfile();
  return !!(p.name || p.email || (S.visitor && (S.visitor.name || S.visitor.email)));
}

/** Shows the card under `first` (the visitor's first message element). @param {HTMLElement} first */
export function offerContact(first) {
  removeContact();
  const name = h("input", { id: "parley-contact-name", type: "text", name: "name", maxlength: 100, autocomplete: "name", "data-testid": "contact-name" });
  const email = h("input", { id: "parley-contact-email", type: "email", name: "email", maxlength: 254, autocomplete: "email", "data-testid": "contact-email" });
  const error = h("p", { class: "form-error", role: "alert", "data-testid": "contact-error", hidden: true });
  const save = h("button", { type: "submit", class: "btn btn--primary btn--sm", "data-testid": "contact-save", text: t("contact_save") });
  const later = h("button", { type: "button", class: "btn btn--ghost btn--sm", "data-testid": "contact-dismiss", text: t("contact_no_thanks"), onclick: dismiss });
  // As the pre-chat form's tick box: the transcript by e-mail when the chat closes.
  const transcript = h("input", { type: "checkbox", id: "parley-contact-transcript", name: "transcript", "data-testid": "contact-transcript" });
  const transcriptOpt = h("label", { class: "check", for: "parley-contact-transcript", hidden: !transcriptsOffered() }, transcript, h("span", { text: t("transcript_opt_in") }));
  for (const i of [name, email]) i.addEventListener("input", () => i.removeAttribute("aria-invalid"));
  const field = (/** @type {string} */ label, /** @type {string} */ id, /** @type {HTMLElement} */ input) =>
    h("div", { class: "field" }, h("label", { for: id, text: label }), input);
  card = h("form", { class: "contact-card", novalidate: true, "data-testid": "contact-card", "aria-labelledby": "parley-contact-q", onsubmit: submit },
    h("p", { class: "contact-card__q", id: "parley-contact-q", text: t("contact_card_title") }),
    field(t("name_label"), "parley-contact-name", name),
    field(t("email_label"), "parley-contact-email", email),
    transcriptOpt,
    error,
    h("div", { class: "contact-card__buttons" }, save, later));
  Object.assign(card, { parts: { name, email, error, transcript } });
  first.after(card);
}

/** Takes the card away (a new chat, "No thanks", saved). */
export function removeContact() {
  pending = false;
  queued = null;
  if (card) card.remove();
  card = null;
}

function dismiss() {
  const hadFocus = !!card && card.contains(ui.shadow.activeElement);
  removeContact();
  if (hadFocus && !ui.composer.disabled) ui.composer.focus();
}

/** @param {string} text */
function showError(text) {
  const { error } = /** @type {any} */ (card).parts;
  error.textContent = text;
  error.hidden = !text;
}

/** @param {Event} e */
function submit(e) {
  e.preventDefault();
  if (!card || pending) return;
  const { name, email, transcript } = /** @type {any} */ (card).parts;
  const n = name.value.trim();
  const m = email.value.trim();
  const wantsTranscript = transcript.checked && transcriptsOffered();
  for (const i of [name, email]) i.removeAttribute("aria-invalid");
  let bad = null;
  let msg = "";
  if (m && !EMAIL.test(m)) [bad, msg] = [email, t("check_email")];
  if (wantsTranscript && !m) [bad, msg] = [email, t("need_email_for_transcript")];
  if (!n && !m) [bad, msg] = [name, t("contact_need_one")];
  if (bad) {
    bad.setAttribute("aria-invalid", "true");
    showError(msg);
    bad.focus();
    return;
  }
  showError("");
  pending = true; // a second Save waits for the answer (not disabled: the focus stays on it)
  queued = { type: "visitor.contact", ...(n ? { name: n } : {}), ...(m ? { email: m } : {}), ...(wantsTranscript ? { transcript: true } : {}) };
  ensureSocket();
  flushContact();
  // Still waiting for the socket (the chat is starting too): it goes as soon as it opens.
  if (queued && card) card.setAttribute("data-state", "queued");
}

/** Sends a Save that waits for the socket; the socket's outbox flush calls this when it opens. */
export function flushContact() {
  if (queued && send(queued)) queued = null;
}

/** `visitor.contact.saved`: remembered in this browser too, and the card thanks and goes. @param {any} f */
export function onContactSaved(f) {
  if (!card || !pending) return;
  const name = f.name || "";
  const email = f.email || "";
  local.set("profile", JSON.stringify({ name, email }));
  if (S.visitor) Object.assign(S.visitor, { name: f.name, email: f.email });
  S.visitorName = name;
  ui.nameInput.value = name;
  ui.emailInput.value = email;
  const hadFocus = card.contains(ui.shadow.activeElement);
  const thanks = h("p", { class: "contact-card__done", role: "status", "data-testid": "contact-saved", text: t("contact_saved") });
  card.replaceWith(thanks);
  card = null;
  pending = false;
  if (hadFocus && !ui.composer.disabled) ui.composer.focus();
}

/** An error answering our `visitor.contact` (it names no chat and no message); true when it was one. @param {any} f */
export function onContactError(f) {
  if (!card || !pending || queued || f.ref || f.chat_id) return false;
  pending = false;
  const { email } = /** @type {any} */ (card).parts;
  showError(f.code === "bad_request" ? t("check_email") : t("failed"));
  if (f.code === "bad_request") {
    email.setAttribute("aria-invalid", "true");
    email.focus();
  }
  return true;
}
