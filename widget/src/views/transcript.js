// @ts-check
/** Transcripts by e-mail: "E-mail me the transcript" under an ended chat, and the pre-chat
 * tick box that has it sent when the chat closes. Shown only when the site offers them
 * (`config.transcripts`: e-mail set up on the server and transcripts on for the site). */
import { h } from "../../../client/src/index.js";
import { S, ensureSocket, readProfile, send, ui } from "../core.js";
import { t } from "../i18n.js";

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
let pendingFor = /** @type {string | null} */ (null);
let shownFor = /** @type {string | null} */ (null);

export const transcriptsOffered = () => !!(S.config && S.config.transcripts);

/** The "Send me a transcript" tick box of the pre-chat form. */
export function transcriptOptIn() {
  ui.transcriptBox = h("input", { type: "checkbox", id: "parley-transcript", name: "transcript", "data-testid": "prechat-transcript" });
  ui.transcriptOpt = h("label", { class: "check", for: "parley-transcript" }, ui.transcriptBox, h("span", { text: t("transcript_opt_in") }));
  return ui.transcriptOpt;
}

/** The link (and its small form) under an ended chat. */
export function transcriptForm() {
  ui.trLink = h("button", { type: "button", class: "linkish", "data-testid": "transcript-open", text: t("transcript_open"), onclick: openForm });
  ui.trEmail = h("input", { type: "email", maxlength: 254, autocomplete: "email", "aria-label": t("your_email"), placeholder: t("email_placeholder"), "data-testid": "transcript-email" });
  ui.trSend = h("button", { type: "submit", class: "btn btn--primary btn--sm", "data-testid": "transcript-send", text: t("send") });
  ui.trForm = h("form", { class: "transcript__form", hidden: true, novalidate: true, onsubmit: submit }, ui.trEmail, ui.trSend);
  ui.trStatus = h("p", { class: "transcript__status", role: "status", "data-testid": "transcript-status" });
  ui.transcript = h("div", { class: "transcript", hidden: true }, ui.trLink, ui.trForm, ui.trStatus);
  return ui.transcript;
}

export function renderTranscript() {
  if (ui.transcriptOpt) ui.transcriptOpt.hidden = !transcriptsOffered();
  if (!ui.transcript) return;
  const chat = S.chat;
  const id = chat ? chat.id : null;
  if (id !== shownFor) {
    // Another chat: start over (nothing asked for it yet).
    shownFor = id;
    pendingFor = null;
    ui.trForm.hidden = true;
    ui.trLink.hidden = false;
    ui.trSend.disabled = false;
    ui.trStatus.textContent = "";
  }
  ui.transcript.hidden = !(chat && chat.status === "closed" && transcriptsOffered());
}

function openForm() {
  const p = readProfile();
  if (!ui.trEmail.value) ui.trEmail.value = p.email || (S.visitor && S.visitor.email) || "";
  ui.trLink.hidden = true;
  ui.trForm.hidden = false;
  ui.trStatus.textContent = "";
  ui.trEmail.focus();
}

/** @param {Event} e */
function submit(e) {
  e.preventDefault();
  const email = ui.trEmail.value.trim();
  if (!S.chat) return;
  if (!EMAIL.test(email)) {
    ui.trEmail.setAttribute("aria-invalid", "true");
    ui.trStatus.textContent = t("check_email");
    ui.trEmail.focus();
    return;
  }
  ui.trEmail.removeAttribute("aria-invalid");
  ensureSocket();
  if (!send({ type: "transcript.request", chat_id: S.chat.id, email })) {
    ui.trStatus.textContent = t("not_connected");
    return;
  }
  pendingFor = S.chat.id;
  ui.trSend.disabled = true;
  ui.trStatus.textContent = t("sending");
}

/** `transcript.queued` from the server. @param {any} f */
export function onTranscriptQueued(f) {
  if (!pendingFor || f.chat_id !== pendingFor) return;
  pendingFor = null;
  ui.trSend.disabled = false;
  ui.trForm.hidden = true;
  ui.trLink.hidden = false;
  ui.trStatus.textContent = t("transcript_sent", { email: ui.trEmail.value.trim() });
}

/** An error that answers our request; true when it was one. @param {any} f */
export function onTranscriptError(f) {
  if (!pendingFor || f.ref || f.chat_id !== pendingFor) return false;
  pendingFor = null;
  ui.trSend.disabled = false;
  /** @type {Record<string, string>} */
  const texts = {
    rate_limited: t("transcript_rate_limited"),
    unavailable: t("transcript_unavailable"),
    bad_request: t("check_email"),
  };
  ui.trStatus.textContent = texts[f.code] || t("failed");
  return true;
}
