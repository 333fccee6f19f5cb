// @ts-check
/** The widget on the page: a shadow-DOM host with the bubble and the panel, opened and closed. */
import { h } from "../../client/src/index.js";
import { sendFiles } from "./attachments.js";
import { setChat } from "./chat.js";
import { ensureSocket, reconnectNow } from "./connection.js";
import { ICON_CHAT, ICON_CLIP, ICON_DOWN, ICON_MIN, ICON_SEND, withIcon } from "./icons.js";
import { applySession } from "./session.js";
import { DEFAULT_COLOR, MAX_BODY, S, ui } from "./state.js";
import { readProfile, tab } from "./storage.js";
import { endChat, newChat, onComposerInput, sendComposer } from "./views/chat.js";
import { toBottom } from "./views/messages.js";
import { startChat } from "./views/prechat.js";
import { transcriptForm, transcriptOptIn } from "./views/transcript.js";
import { renderUnread, showView } from "./views/status.js";

// Replaced by the build with a token the server swaps for widget.css (app/web/pages.py).
/* global __PARLEY_CSS__ */
const CSS = __PARLEY_CSS__;

export function focusFirst() {
  if (S.view === "chat") {
    if (!ui.composer.disabled) ui.composer.focus();
    else ui.newChat.focus();
  } else if (!ui.nameInput.value) {
    ui.nameInput.focus();
  } else {
    ui.msgInput.focus();
  }
}

export function open() {
  if (!S.mounted) {
    S.pendingOpen = true;
    return;
  }
  if (S.isOpen) return;
  S.isOpen = true;
  ui.panel.hidden = false;
  ui.root.classList.add("is-open");
  ui.bubble.setAttribute("aria-expanded", "true");
  withIcon(ui.bubbleIcon, ICON_DOWN);
  S.unread = 0;
  renderUnread();
  tab.set("open", "1");
  ensureSocket();
  toBottom();
  focusFirst();
}

export function close() {
  if (!S.mounted) {
    S.pendingOpen = false;
    return;
  }
  if (!S.isOpen) return;
  const hadFocus = ui.panel.contains(ui.shadow.activeElement);
  S.isOpen = false;
  ui.panel.hidden = true;
  ui.root.classList.remove("is-open");
  ui.bubble.setAttribute("aria-expanded", "false");
  withIcon(ui.bubbleIcon, ICON_CHAT);
  tab.set("open", null);
  if (hadFocus) ui.bubble.focus();
}

export const toggle = () => (S.isOpen ? close() : open());

function applyTheme() {
  const config = S.config;
  let color = S.colorOverride || (config.theme && config.theme.color) || DEFAULT_COLOR;
  if (!(window.CSS && window.CSS.supports && window.CSS.supports("color", color))) color = DEFAULT_COLOR;
  const st = ui.root.style;
  st.setProperty("--parley-color", color);
  // Readable text on the shop's colour: white unless the colour is light.
  ui.probe.style.color = color;
  const rgb = (getComputedStyle(ui.probe).color.match(/[\d.]+/g) || [15, 118, 110]).slice(0, 3).map(Number);
  const lin = rgb.map((v) => {
    v /= 255;
    return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
  });
  const lum = 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2];
  st.setProperty("--parley-rgb", rgb.join(","));
  st.setProperty("--parley-on-color", 1.05 / (lum + 0.05) < 3 ? "#111827" : "#ffffff");
}

/** Builds the widget into the page and shows the visitor's chat, if any. @param {any} data */
export function mount(data) {
  applySession(data);
  const visitor = S.visitor;
  const host = h("div", { id: "parley-widget" });
  const hs = host.style;
  // Inline and !important: the shop's own stylesheets cannot move or restyle the host.
  for (const [p, v] of [["position", "fixed"], ["right", "20px"], ["bottom", "20px"], ["left", "auto"],
    ["top", "auto"], ["z-index", "2147483000"], ["display", "block"], ["margin", "0"], ["padding", "0"],
    ["width", "auto"], ["height", "auto"], ["min-width", "0"], ["min-height", "0"], ["border", "0"],
    ["background", "none"], ["box-shadow", "none"], ["outline", "0"], ["opacity", "1"],
    ["visibility", "visible"], ["transform", "none"], ["filter", "none"], ["float", "none"],
    ["clip-path", "none"], ["contain", "none"], ["overflow", "visible"]]) hs.setProperty(p, v, "important");
  const shadow = host.attachShadow({ mode: "open" });
  ui.shadow = shadow;
  shadow.append(h("style", { text: CSS }));

  ui.probe = h("span", { class: "probe", "aria-hidden": "true" });
  ui.bubbleIcon = withIcon(h("span", { class: "bubble__icon" }), ICON_CHAT);
  ui.unread = h("span", { class: "badge", "data-testid": "unread", hidden: true, "aria-hidden": "true" });
  ui.bubble = h("button", {
    type: "button",
    class: "bubble",
    "data-testid": "parley-bubble",
    "aria-label": "Chat with us",
    "aria-expanded": "false",
    "aria-controls": "parley-panel",
    onclick: toggle,
  }, ui.bubbleIcon, ui.unread);

  // header
  ui.hdrAvatar = h("span", { class: "hdr__avatar", hidden: true });
  ui.siteName = h("span", { class: "hdr__title" });
  ui.agentName = h("span", { class: "hdr__title", "data-testid": "agent-name", hidden: true });
  ui.hdrSub = h("span", { class: "hdr__sub" });
  ui.endChat = h("button", { type: "button", class: "hdr__end", "data-testid": "end-chat", text: "End chat", hidden: true, onclick: endChat });
  const minimise = withIcon(h("button", { type: "button", class: "hdr__btn", "aria-label": "Minimise chat", title: "Minimise", onclick: close }), ICON_MIN);
  const header = h("div", { class: "hdr" },
    ui.hdrAvatar,
    h("div", { class: "hdr__text" }, ui.siteName, ui.agentName, ui.hdrSub),
    h("div", { class: "hdr__actions" }, ui.endChat, minimise));

  // pre-chat form
  const profile = readProfile();
  /** @param {string} label @param {string} id @param {HTMLElement} input */
  const field = (label, id, input) => h("div", { class: "field" }, h("label", { for: id, text: label }), input);
  ui.nameInput = h("input", { id: "parley-name", type: "text", name: "name", required: true, maxlength: 100, autocomplete: "name", "data-testid": "prechat-name" });
  ui.emailInput = h("input", { id: "parley-email", type: "email", name: "email", maxlength: 254, autocomplete: "email", "data-testid": "prechat-email" });
  ui.msgInput = h("textarea", { id: "parley-message", name: "message", required: true, rows: 3, maxlength: MAX_BODY, "data-testid": "prechat-message" });
  // The site's departments: offered as a choice when there is more than one (see renderDepartments).
  ui.deptSelect = h("select", { id: "parley-department", name: "department", "data-testid": "prechat-department" });
  ui.deptField = field("What is it about?", "parley-department", ui.deptSelect);
  for (const i of [ui.nameInput, ui.emailInput, ui.msgInput]) {
    i.addEventListener("input", () => i.removeAttribute("aria-invalid"));
  }
  ui.availText = h("span");
  ui.avail = h("p", { class: "avail" }, h("span", { class: "avail__dot", "aria-hidden": "true" }), ui.availText);
  ui.formError = h("p", { class: "form-error", role: "alert", hidden: true });
  ui.prechat = h("form", { class: "prechat", novalidate: true, "data-testid": "prechat", onsubmit: startChat },
    ui.avail,
    field("Your name", "parley-name", ui.nameInput),
    field("E-mail (optional)", "parley-email", ui.emailInput),
    ui.deptField,
    field("How can we help?", "parley-message", ui.msgInput),
    transcriptOptIn(),
    ui.formError,
    h("button", { type: "submit", class: "btn btn--primary", "data-testid": "prechat-submit", text: "Start chat" }));
  ui.nameInput.value = profile.name || visitor.name || "";
  ui.emailInput.value = profile.email || visitor.email || "";

  // chat view
  ui.status = h("div", { class: "status", role: "status", "data-testid": "status" });
  ui.list = h("div", { class: "messages", role: "log", "aria-live": "polite", "aria-label": "Messages", "data-testid": "messages" });
  ui.typingText = h("span", { class: "typing__text" });
  ui.typing = h("div", { class: "typing", "data-testid": "typing", hidden: true },
    h("span", { class: "typing__dots", "aria-hidden": "true" }, h("i"), h("i"), h("i")), ui.typingText);
  ui.scroll = h("div", { class: "scroll" }, ui.list, ui.typing);
  ui.newChat = h("button", { type: "button", class: "btn btn--ghost", "data-testid": "new-chat", text: "Start a new chat", onclick: newChat });
  ui.ended = h("div", { class: "ended", hidden: true }, transcriptForm(), ui.newChat);
  ui.composer = h("textarea", {
    class: "composer__input",
    rows: 1,
    maxlength: MAX_BODY,
    placeholder: "Write a message\u2026",
    "aria-label": "Write a message",
    "data-testid": "composer",
    oninput: onComposerInput,
    onkeydown: (/** @type {KeyboardEvent} */ e) => {
      if (e.key === "Enter" && !e.shiftKey && !e.isComposing && e.keyCode !== 229) {
        e.preventDefault();
        sendComposer();
      }
    },
  });
  ui.send = withIcon(h("button", { type: "button", class: "composer__send", "aria-label": "Send", title: "Send", "data-testid": "send", onclick: sendComposer }), ICON_SEND);
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
  ui.attach = withIcon(h("button", { type: "button", class: "composer__attach", "aria-label": "Send a file", title: "Send a file (images, PDF, documents; up to 10 MB)", "data-testid": "attach", onclick: () => ui.fileInput.click() }), ICON_CLIP);
  ui.chatView = h("div", { class: "chat", hidden: true },
    ui.status, ui.scroll, ui.ended, h("div", { class: "composer" }, ui.attach, ui.fileInput, ui.composer, ui.send));

  ui.panel = h("div", {
    id: "parley-panel",
    class: "panel",
    role: "dialog",
    "aria-label": "Chat",
    "data-testid": "parley-panel",
    hidden: true,
  }, header, h("div", { class: "body" }, ui.prechat, ui.chatView), h("div", { class: "foot", text: "Powered by Parley" }));

  ui.root = h("div", {
    class: "root",
    onkeydown: (/** @type {KeyboardEvent} */ e) => {
      if (e.key === "Escape" && S.isOpen) {
        e.stopPropagation();
        close();
        ui.bubble.focus();
      }
    },
  }, ui.panel, ui.bubble, ui.probe);
  shadow.append(ui.root);
  document.body.appendChild(host);
  applyTheme();
  S.mounted = true;

  const active = S.config.active_chat;
  if (active && active.id) {
    setChat(active.id, active.status, active.agent);
    showView("chat");
    ensureSocket();
  } else {
    showView("prechat");
  }
  renderUnread();
  if (S.pendingOpen || (S.pendingOpen === null && active && tab.get("open") === "1")) open();

  window.addEventListener("online", reconnectNow);
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") reconnectNow();
  });
}
