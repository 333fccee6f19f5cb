// @ts-check
/** The chat panel: header, pre-chat form and chat view, in the launcher's shadow root. */
import { h } from "../../client/src/index.js";
import { sendFiles } from "./attachments.js";
import { setChat } from "./chat.js";
import { MAX_BODY, S, closePanel, readProfile, ui } from "./core.js";
import { ICON_CLIP, ICON_MIN, ICON_SEND, withIcon } from "./icons.js";
import { askEndChat, cancelEndChat, endChat, newChat, onComposerInput, sendComposer } from "./views/chat.js";
import { toBottom } from "./views/messages.js";
import { mountOffline } from "./views/offline.js";
import { startChat } from "./views/prechat.js";
import { surveyForm } from "./views/survey.js";
import { transcriptForm, transcriptOptIn } from "./views/transcript.js";
import { showView } from "./views/status.js";
import { t } from "./i18n.js";

// Replaced by the build with a token the server swaps for widget.css (app/web/pages.py).
/* global __PARLEY_CSS__ */
const CSS = __PARLEY_CSS__;

export function focusFirst() {
  if (S.view === "chat") {
    if (!ui.composer.disabled) ui.composer.focus();
    else ui.newChat.focus();
  } else {
    ui.msgInput.focus(); // the visitor types first
  }
}

/** The launcher opened: show the panel. */
export function show() {
  ui.panel.hidden = false;
  toBottom();
  focusFirst();
}

/** The launcher closed: hide the panel. @returns {boolean} whether the focus was inside it */
export function hide() {
  const hadFocus = ui.panel.contains(ui.shadow.activeElement);
  ui.panel.hidden = true;
  return hadFocus;
}

/** Builds the panel into the launcher's shadow root and shows the visitor's chat, if any. */
export function mount() {
  const visitor = S.visitor || {};
  ui.shadow.append(h("style", { text: CSS }));

  // header: the shop's logo and the faces of who is online (or the agent of the chat)
  ui.hdrAvatar = h("span", { class: "hdr__avatar", hidden: true });
  ui.hdrLogo = h("span", { class: "hdr__logo", "data-testid": "header-logo", hidden: true });
  ui.siteName = h("span", { class: "hdr__title" });
  ui.agentName = h("span", { class: "hdr__title", "data-testid": "agent-name", hidden: true });
  ui.hdrSub = h("span", { class: "hdr__sub" });
  ui.hdrTeam = h("span", { class: "hdr__team", "data-testid": "header-team", hidden: true });
  ui.hdrReply = h("span", { class: "hdr__reply", "data-testid": "header-reply-time", hidden: true });
  const minimise = withIcon(h("button", { type: "button", class: "hdr__btn", "aria-label": t("minimise_label"), title: t("minimise"), "data-testid": "minimise", onclick: () => closePanel() }), ICON_MIN);
  const header = h("div", { class: "hdr" },
    ui.hdrLogo,
    ui.hdrAvatar,
    h("div", { class: "hdr__text" }, ui.siteName, ui.agentName, ui.hdrSub, ui.hdrTeam, ui.hdrReply),
    h("div", { class: "hdr__actions" }, minimise));

  // pre-chat form
  const profile = readProfile();
  /** @param {string} label @param {string} id @param {HTMLElement} input */
  const field = (label, id, input) => h("div", { class: "field" }, h("label", { for: id, text: label }), input);
  /** @param {HTMLElement} labelEl @param {string} id @param {HTMLElement} input */
  const namedField = (labelEl, id, input) => h("div", { class: "field" }, labelEl, input);
  ui.nameInput = h("input", { id: "parley-name", type: "text", name: "name", required: true, maxlength: 100, autocomplete: "name", "data-testid": "prechat-name" });
  ui.emailInput = h("input", { id: "parley-email", type: "email", name: "email", maxlength: 254, autocomplete: "email", "data-testid": "prechat-email" });
  ui.msgInput = h("textarea", { id: "parley-message", name: "message", required: true, rows: 3, maxlength: MAX_BODY, "data-testid": "prechat-message" });
  // The site's departments: offered as a choice when there is more than one (see renderDepartments).
  ui.deptSelect = h("select", { id: "parley-department", name: "department", "data-testid": "prechat-department" });
  ui.deptField = field(t("topic_label"), "parley-department", ui.deptSelect);
  for (const i of [ui.nameInput, ui.emailInput, ui.msgInput]) {
    i.addEventListener("input", () => i.removeAttribute("aria-invalid"));
  }
  ui.availText = h("span", { "data-testid": "availability" });
  ui.emailLabel = h("label", { for: "parley-email", text: t("email_label") });
  ui.msgLabel = h("label", { for: "parley-message", text: t("message_label") });
  ui.submit = h("button", { type: "submit", class: "btn btn--primary", "data-testid": "prechat-submit", text: t("start_chat") });
  ui.avail = h("p", { class: "avail" }, h("span", { class: "avail__dot", "aria-hidden": "true" }), ui.availText);
  ui.formError = h("p", { class: "form-error", role: "alert", hidden: true });
  ui.contact = h("div", { class: "prechat__contact", "data-testid": "prechat-contact" },
    field(t("name_label"), "parley-name", ui.nameInput),
    namedField(ui.emailLabel, "parley-email", ui.emailInput),
    transcriptOptIn());
  // The visitor types first: the question, then (per the site) who they are.
  ui.prechat = h("form", { class: "prechat", novalidate: true, "data-testid": "prechat", onsubmit: startChat },
    ui.avail,
    namedField(ui.msgLabel, "parley-message", ui.msgInput),
    mountOffline(),
    ui.deptField,
    ui.contact,
    ui.formError,
    h("div", { class: "prechat__buttons" }, ui.submit));
  ui.nameInput.value = profile.name || visitor.name || "";
  ui.emailInput.value = profile.email || visitor.email || "";

  // chat view
  ui.status = h("div", { class: "status", role: "status", "data-testid": "status" });
  ui.list = h("div", { class: "messages", role: "log", "aria-live": "polite", "aria-label": t("messages_label"), "data-testid": "messages" });
  ui.typingText = h("span", { class: "typing__text" });
  ui.typing = h("div", { class: "typing", "data-testid": "typing", hidden: true },
    h("span", { class: "typing__dots", "aria-hidden": "true" }, h("i"), h("i"), h("i")), ui.typingText);
  // Focusable: a long chat scrolls, and a keyboard must be able to scroll it (axe).
  ui.scroll = h("div", { class: "scroll", tabindex: "0" }, ui.list, ui.typing);
  ui.newChat = h("button", { type: "button", class: "btn btn--ghost", "data-testid": "new-chat", text: t("new_chat"), onclick: newChat });
  ui.ended = h("div", { class: "ended", hidden: true }, surveyForm(), transcriptForm(), ui.newChat);
  ui.composer = h("textarea", {
    class: "composer__input",
    rows: 1,
    maxlength: MAX_BODY,
    placeholder: t("composer"),
    "aria-label": t("composer").replace(/\u2026$/, ""),
    "data-testid": "composer",
    oninput: onComposerInput,
    onkeydown: (/** @type {KeyboardEvent} */ e) => {
      if (e.key === "Enter" && !e.shiftKey && !e.isComposing && e.keyCode !== 229) {
        e.preventDefault();
        sendComposer();
      }
    },
  });
  ui.send = withIcon(h("button", { type: "button", class: "composer__send", "aria-label": t("send"), title: t("send"), "data-testid": "send", onclick: sendComposer }), ICON_SEND);
  ui.fileInput = h("input", {
    type: "file",
    hidden: true,
    "data-testid": "file-input",
    accept: "image/*,application/pdf,text/plain,.doc,.docx,.xls,.xlsx,.ppt,.pptx,.odt,.ods",
    onchange: () => {
      const files = Array.from(ui.fileInput.files || []);
      ui.fileInput.value = "";
      sendFiles(/** @type {File[]} */ (files));
    },
  });
  ui.attach = withIcon(h("button", { type: "button", class: "composer__attach", "aria-label": t("attach_label"), title: t("attach_title"), "data-testid": "attach", onclick: () => ui.fileInput.click() }), ICON_CLIP);
  // "End chat" sits in the chat's own bar, away from minimise, and asks first.
  ui.endChat = h("button", { type: "button", class: "chatbar__end", "data-testid": "end-chat", text: t("end_chat"), hidden: true, onclick: askEndChat });
  ui.endConfirm = h("div", { class: "confirm", role: "group", "aria-labelledby": "parley-end-q", "data-testid": "end-chat-confirm", hidden: true,
    onkeydown: (/** @type {KeyboardEvent} */ e) => {
      if (e.key === "Escape") {
        e.stopPropagation();
        cancelEndChat();
      }
    } },
  h("p", { class: "confirm__q", id: "parley-end-q", text: t("end_chat_confirm") }),
  h("div", { class: "confirm__buttons" },
    h("button", { type: "button", class: "btn btn--ghost btn--sm", "data-testid": "end-chat-cancel", text: t("keep_chatting"), onclick: cancelEndChat }),
    h("button", { type: "button", class: "btn btn--primary btn--sm", "data-testid": "end-chat-yes", text: t("end_chat"), onclick: endChat })));
  ui.chatView = h("div", { class: "chat", hidden: true },
    h("div", { class: "chatbar" }, ui.status, ui.endChat), ui.endConfirm,
    ui.scroll, ui.ended, h("div", { class: "composer" }, ui.attach, ui.fileInput, ui.composer, ui.send));

  ui.panel = h("div", {
    id: "parley-panel",
    class: "panel",
    role: "dialog",
    "aria-label": t("chat"),
    "data-testid": "parley-panel",
    hidden: true,
  }, header, h("div", { class: "body" }, ui.prechat, ui.chatView), h("div", { class: "foot", text: t("powered_by") }));
  ui.msgInput.setAttribute("placeholder", t("question_placeholder"));

  ui.root.insertBefore(ui.panel, ui.bubble);

  const active = S.config.active_chat;
  if (active && active.id) {
    setChat(active.id, active.status, active.agent);
    showView("chat");
  } else {
    showView("prechat");
  }
}
