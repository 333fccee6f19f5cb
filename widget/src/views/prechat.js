// @ts-check
/** The pre-chat form. The visitor types first: the question (and the topic, when the shop has
 * several); name and e-mail are asked with it, after it (the default: the chat starts at once
 * and a card under the first message asks, views/contact.js; not at all for a visitor we already
 * know), or never: the site's `ask_contact`. While the shop is away the form is the offline
 * message form, which needs the e-mail to answer. */
import { h } from "../../../client/src/index.js";
import { forgetChat } from "../chat.js";
import { S, MAX_BODY, ensureSocket, local, readProfile, ui } from "../core.js";
import { flush } from "../outgoing.js";
import { addOwn, clearList } from "./messages.js";
import { knownVisitor, offerContact, removeContact } from "./contact.js";
import { renderStatus, showView } from "./status.js";
import { isOffline, renderOfflineForm } from "./offline.js";
import { transcriptsOffered } from "./transcript.js";
import { number, t } from "../i18n.js";

/** @param {string | undefined} s @param {number} n */
const clip = (s, n) => (typeof s === "string" ? s.slice(0, n) : "");

export function prefill() {
  const p = readProfile();
  if (!ui.nameInput.value) ui.nameInput.value = p.name || (S.visitor && S.visitor.name) || "";
  if (!ui.emailInput.value) ui.emailInput.value = p.email || (S.visitor && S.visitor.email) || "";
}

/** @returns {{value: string, label?: string}[]} */
function departments() {
  const list = S.config && Array.isArray(S.config.departments) ? S.config.departments : [];
  return list.filter((/** @type {any} */ d) => d && typeof d.value === "string" && d.value);
}

// More than one department: the visitor picks (or leaves it to the site's default); one: it
// is simply used; none: the field is hidden.
export function renderDepartments() {
  const list = departments();
  const chosen = ui.deptSelect.value;
  ui.deptSelect.textContent = "";
  ui.deptSelect.append(h("option", { value: "", text: t("choose_topic") }));
  for (const d of list) ui.deptSelect.append(h("option", { value: d.value, text: clip(d.label || d.value, 64) }));
  if (list.some((d) => d.value === chosen)) ui.deptSelect.value = chosen;
  else if (S.department) {
    // A deep link or Parley.open({department}) names the topic, by its value or its label.
    const wanted = S.department.toLowerCase();
    const match = list.find((d) => d.value.toLowerCase() === wanted || (d.label || "").toLowerCase() === wanted);
    if (match) ui.deptSelect.value = match.value;
  }
  ui.deptField.hidden = list.length < 2;
}

function chosenDepartment() {
  const list = departments();
  if (list.length === 1) return list[0].value;
  return list.length > 1 ? ui.deptSelect.value : "";
}

export function renderAvailability() {
  const online = !S.config || S.config.agents_online !== false;
  ui.avail.classList.toggle("avail--off", !online);
  ui.availText.textContent = t(online ? "online" : "offline");
  renderOfflineForm();
  renderContactStep();
}

/** @param {string} text */
export function showFormError(text) {
  ui.formError.textContent = text;
  ui.formError.hidden = !text;
}

/** "before", "after" or "never": when the form asks name and e-mail (the site's setting). */
export function askContact() {
  const v = S.config && S.config.ask_contact;
  return v === "before" || v === "never" ? v : "after";
}

/** Which fields the form shows now: the contact fields with the question (before, offline), or
 * none (after: asked in the chat; never). */
export function renderContactStep() {
  if (!ui.contact) return;
  const mode = isOffline() ? "before" : askContact();
  ui.contact.hidden = mode !== "before";
  ui.submit.textContent = t(isOffline() ? "send_message" : mode === "after" ? "send" : "start_chat");
}

/** @param {Event} e */
export function startChat(e) {
  e.preventDefault();
  const mode = isOffline() ? "before" : askContact();
  const known = knownVisitor();
  // Asked after: a visitor we know still says who they are with the question (the fields hold
  // what this browser remembers); anyone else is asked in the chat.
  const contact = mode === "before" || (mode === "after" && known);
  const name = contact ? ui.nameInput.value.trim() : "";
  const email = contact ? ui.emailInput.value.trim() : "";
  const text = ui.msgInput.value.trim();
  let bad = null;
  let msg = "";
  if (email && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) [bad, msg] = [ui.emailInput, t("check_email")];
  const wantsTranscript = mode === "before" && !!ui.transcriptBox && ui.transcriptBox.checked && transcriptsOffered();
  if (wantsTranscript && !email) [bad, msg] = [ui.emailInput, t("need_email_for_transcript")];
  if (isOffline() && !email) [bad, msg] = [ui.emailInput, t("need_email_to_answer")];
  if (mode === "before" && !name) [bad, msg] = [ui.nameInput, t("need_name")];
  if (!text) [bad, msg] = [ui.msgInput, t("need_question")]; // the first field, so the first problem
  for (const i of [ui.nameInput, ui.emailInput, ui.msgInput]) i.removeAttribute("aria-invalid");
  if (bad) {
    bad.setAttribute("aria-invalid", "true");
    showFormError(msg);
    bad.focus();
    return;
  }
  if (text.length > MAX_BODY) {
    showFormError(t("question_too_long", { max: number(MAX_BODY) }));
    return;
  }
  showFormError("");
  if (name || email) local.set("profile", JSON.stringify({ name, email }));
  S.visitorName = name;
  /** @type {Record<string, string | boolean>} */
  const pre = {};
  if (name) pre.name = name;
  if (email) pre.email = email;
  if (wantsTranscript) pre.transcript = true;
  const department = chosenDepartment();
  if (department) pre.department = department;
  if (S.chat) forgetChat();
  removeContact();
  clearList(false);
  ui.msgInput.value = "";
  showView("chat");
  const first = addOwn(text, null, true, pre);
  if (mode === "after" && !known) offerContact(first.el);
  renderStatus();
  ensureSocket();
  flush();
  ui.composer.focus();
}
