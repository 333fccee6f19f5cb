// The composer under the open chat: reply, whisper or note; Enter sends, Shift+Enter breaks the
// line; files upload at once and go with the next message; our typing is told to the visitor
// (at most every 2 s). A sent message shows at once as pending until the server acknowledges it.
import { api, el, uuid } from "./parley-client.js";
import { $, selectedChat, state } from "./chat-state.js";
import { renderMessages } from "./chat-view.js";
import { completionKey, hideCompletions, updateCompletions } from "./chat-replies.js";
import { toast } from "./chat-notify.js";
import { t } from "./i18n.js";

const PLACEHOLDERS = { public: "composer", whisper: "composer_whisper", note: "composer_note" };

const composer = () => /** @type {HTMLTextAreaElement} */ ($("[data-testid=composer]"));

function setKind(kind) {
  state.kind = kind;
  for (const b of document.querySelectorAll(".mode")) {
    b.classList.toggle("active", b.dataset.kind === kind);
    b.setAttribute("aria-selected", String(b.dataset.kind === kind));
  }
  $(".composer").dataset.kind = kind;
  composer().placeholder = t(PLACEHOLDERS[kind]);
}

function send() {
  const chat = selectedChat();
  if (!chat) return;
  const text = composer().value.trim();
  const files = state.pendingFiles.filter((f) => f.id);
  if (!text && !files.length) return;
  const body = text || files.map((f) => f.name).join(", ");
  const frame = state.socket.sendMessage(chat.id, body, state.kind, files.map((f) => f.id));
  const pending = {
    id: null,
    client_msg_id: frame.client_msg_id,
    kind: state.kind,
    body,
    pending: true,
    created_at: new Date().toISOString(),
    author: { type: "agent", id: state.me && state.me.id, name: state.me && state.me.name },
    attachments: files,
  };
  chat.pending.set(frame.client_msg_id, pending);
  composer().value = "";
  state.pendingFiles = [];
  renderPendingFiles();
  sendTyping(false);
  hideCompletions();
  renderMessages();
}

function sendTyping(active) {
  const chat = selectedChat();
  if (!chat || state.kind !== "public") return;
  const now = Date.now();
  clearTimeout(state.typingTimer);
  if (active) {
    if (now - state.lastTypingSent > 2000) {
      state.socket.send({ type: "typing", chat_id: chat.id, active: true });
      state.lastTypingSent = now;
    }
    state.typingTimer = setTimeout(() => sendTyping(false), 3000);
  } else if (state.lastTypingSent) {
    state.socket.send({ type: "typing", chat_id: chat.id, active: false });
    state.lastTypingSent = 0;
  }
}

export function renderPendingFiles() {
  $("[data-testid=pending-files]").replaceChildren(
    ...state.pendingFiles.map((f) =>
      el(
        "span",
        { class: "chip" },
        f.uploading ? t("uploading") + " " : "",
        f.name,
        el("button", { type: "button", class: "x", "aria-label": t("remove"), onclick: () => ((state.pendingFiles = state.pendingFiles.filter((x) => x !== f)), renderPendingFiles()) }, "×"),
      ),
    ),
  );
}

/** Keeps the draft of the chat being left; shows the draft of the chat opened. */
export function switchDraft(from, to) {
  if (from) from.draft = composer().value;
  composer().value = to.draft;
  state.pendingFiles = [];
  renderPendingFiles();
  hideCompletions();
}

/** Moves the keyboard to the composer (after choosing a chat with Enter). */
export function focusComposer() {
  if (!composer().disabled) composer().focus();
}

export function setupComposer() {
  for (const b of document.querySelectorAll(".mode")) b.addEventListener("click", () => setKind(b.dataset.kind));
  setKind(state.kind);
  $("[data-testid=send]").addEventListener("click", send);

  composer().addEventListener("keydown", (ev) => {
    if (completionKey(ev)) return;
    if (ev.key === "Enter" && !ev.shiftKey) {
      ev.preventDefault();
      // "/del" with no saved reply behind it is a typo, not a message for the customer.
      const shortcut = /^\/([\w-]*)$/.exec(composer().value.trim());
      if (shortcut && state.kind === "public") {
        toast(t("no_saved_reply_named", { shortcut: shortcut[1] }));
        return;
      }
      send();
    }
  });

  composer().addEventListener("input", () => {
    const text = composer().value;
    updateCompletions(text);
    if (text.trim()) sendTyping(true);
  });

  // Files: uploaded at once, sent with the next message.
  $("[data-testid=file-input]").addEventListener("change", async (ev) => {
    const input = /** @type {HTMLInputElement} */ (ev.target);
    for (const file of input.files) {
      const entry = { name: file.name, uploading: true, key: uuid() };
      state.pendingFiles.push(entry);
      renderPendingFiles();
      const form = new FormData();
      form.append("file", file);
      try {
        Object.assign(entry, await api("/uploads", { method: "POST", token: state.token, form }), { uploading: false });
      } catch (e) {
        state.pendingFiles = state.pendingFiles.filter((f) => f !== entry);
        toast(`${file.name}: ${e.message}`);
      }
      renderPendingFiles();
    }
    input.value = "";
  });
}
