// The chat view's shared state, in one object every module of the view reads and writes.
// Why: the view's parts (list, conversation, composer, context) all follow "which chat is open"
// and the chats' contents; one plain object keeps that in a single place without a framework's
// store, and each module re-renders its own part from it.
import { TOKEN_KEY } from "./parley-client.js";
import { t } from "./i18n.js";

export const state = {
  token: localStorage.getItem(TOKEN_KEY),
  me: null,
  socket: null,
  chats: new Map(), // id -> chat view state
  order: [],
  selected: null,
  kind: "public",
  replies: [],
  agents: new Map(),
  skills: [],
  pendingFiles: [],
  typingTimer: 0,
  lastTypingSent: 0,
  lastActivity: 0,
  completion: { items: [], index: 0, empty: false },
};

/** The first element matching `sel` (in `root`). */
export const $ = (sel, root = document) => root.querySelector(sel);

/** The chat that is open, if any. */
export function selectedChat() {
  return state.selected ? state.chats.get(state.selected) : undefined;
}

/** The visitor's name as the console shows it. */
export function visitorName(summary) {
  return (summary.visitor && summary.visitor.name) || (summary.pre_chat && summary.pre_chat.name) || t("visitor");
}
