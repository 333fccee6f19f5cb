// @ts-check
/** The panel's bundle (panel.js), loaded by the loader (widget.js) when the panel first opens or
 * the visitor is in a chat. It takes the loader's objects from its own <script> element, builds
 * the panel, and tells the loader how to reach it. */
import { forgetChat, handle, onClosed, onMessage, setChat } from "./chat.js";
import { S, bind, chatOpen, socket } from "./core.js";
import { setTexts } from "./i18n.js";
import { flush } from "./outgoing.js";
import { hide, mount, show } from "./panel.js";
import { hideAgentTyping, resetTyping } from "./views/chat.js";
import { renderHeader, renderStatus, showView } from "./views/status.js";

/** @param {any} f @returns {boolean} false: stop here (the chat has ended) */
function onResumeDone(f) {
  const chat = S.chat;
  if (!chat || f.chat_id !== chat.id) return false;
  if (f.status === "closed") {
    onClosed();
    return false;
  }
  if (f.status && f.status !== chat.status) {
    chat.status = f.status;
    renderStatus();
  }
  return true;
}

/** A new session (a fresh identity after 4401, or Parley.setUser): its open chat is ours. @param {any} data */
function onSession(data) {
  const active = data.config.active_chat;
  if (S.chat && (!active || active.id !== S.chat.id)) forgetChat();
  if (active && !S.chat) {
    setChat(active.id, active.status, active.agent);
    showView("chat");
  }
  renderHeader();
}

const script = /** @type {any} */ (document.currentScript);
const core = script && script.parleyCore;
if (!core) {
  console.warn("[Parley] panel.js is loaded by widget.js, not on its own");
} else {
  bind(core);
  // The texts come beside this code (launcher.js); the panel is built once they are here.
  core.texts.then((/** @type {any} */ doc) => {
    setTexts(doc && doc.panel);
    start();
  });
}

function start() {
  mount();
  /** @type {import("./connection.js").PanelHooks} */
  const hooks = {
    onOpen: () => {
      if (S.chat && chatOpen()) socket.resume(S.chat.id);
      renderStatus();
      flush();
    },
    onClose: () => {
      resetTyping();
      hideAgentTyping();
      renderStatus();
    },
    onFrame: handle,
    onMessage,
    onResumeDone,
    flush,
    onSession,
    renderStatus,
    show,
    hide,
  };
  core.ready(hooks);
  if (socket.open) hooks.onOpen(); // the loader's socket opened before this code arrived
}
