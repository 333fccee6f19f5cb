// The agent console's entry: it puts the page's texts in the agent's language, wires the chat
// view's modules together and opens the session. The view itself lives in the chat-*.js modules,
// one concern each (see docs/architecture.md, "The console's front end"):
//   chat-state     the shared state (chats, which is open, the agent)
//   chat-session   sign-in, the agent socket, the connection indicator
//   chat-frames    what each socket frame does to the view
//   chat-list      the chat list (a keyboard-operable listbox) and choosing a chat
//   chat-view      the open conversation: header, grouped messages, typing
//   chat-composer  reply / whisper / note, files, typing signals
//   chat-replies   the "/" saved-replies popup
//   chat-context   the visitor column
//   chat-status    the online / busy / away switch and presence
//   chat-transfer  accept, close, dismiss, transfer
//   chat-profile   the agent's name, photo and password
//   chat-notify    sound, desktop notifications, toasts, banners, screen-reader announcements
import { setupTeam } from "./team.js";
import { setupApiTokens } from "./apitokens.js";
import { setupMail } from "./mail.js";
import { setupPrivacy } from "./privacy.js";
import { setupOfflineInbox } from "./offline.js";
import { setupWebhooks } from "./webhooks.js";
import { applyTexts, languageMenu } from "./i18n.js";
import { $, selectedChat, state } from "./chat-state.js";
import { setupSession } from "./chat-session.js";
import { frameHandlers } from "./chat-frames.js";
import { renderList, setupChatKeys } from "./chat-list.js";
import { setupComposer } from "./chat-composer.js";
import { usePrivacy } from "./chat-context.js";
import { setupStatus } from "./chat-status.js";
import { setupChatActions } from "./chat-transfer.js";
import { setupProfile } from "./chat-profile.js";
import { setupNotifyButton } from "./chat-notify.js";
import { refreshTimes } from "./reltime.js";

applyTexts();
$("[data-testid=logout]").before(languageMenu());

setupTeam({ button: $("#team-btn"), dialog: $("#team-dialog"), token: () => state.token });
setupApiTokens({ button: $("#api-tokens-btn"), dialog: $("#api-tokens-dialog"), token: () => state.token });
const privacy = setupPrivacy({
  button: $("#privacy-btn"),
  actions: $("#privacy-actions"),
  token: () => state.token,
  onErased: (visitorId) => handlers.forgetVisitor(visitorId, []),
});
usePrivacy(privacy);
const webhooks = setupWebhooks({ button: $("#webhooks-btn"), token: () => state.token });
const mail = setupMail({
  outboxButton: $("#mail-btn"),
  outboxDialog: $("#mail-dialog"),
  sendButton: $("[data-testid=send-transcript]"),
  sendDialog: $("#send-transcript-dialog"),
  token: () => state.token,
  selectedChat,
});
const offlineInbox = setupOfflineInbox({
  button: $("#offline-btn"),
  dialog: $("#offline-dialog"),
  token: () => state.token,
  closeChat: (id) => state.socket.send({ type: "chat.close", chat_id: id }),
});

const handlers = frameHandlers({ privacy, webhooks, mail, offlineInbox });
setupComposer();
setupChatKeys();
setupStatus();
setupChatActions();
setupProfile();
setupNotifyButton();

document.addEventListener("visibilitychange", () => {
  if (!document.hidden && state.selected) {
    const chat = selectedChat();
    if (chat) chat.unread = 0;
    renderList();
  }
});
// Waiting times in the list and relative message times.
setInterval(() => (renderList(), refreshTimes($("[data-testid=messages]"))), 15000);

setupSession(handlers);
