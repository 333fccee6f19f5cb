// @ts-check
/** The visitor socket, through the shared client: opened at page load (page views and
 * `Parley.track` events need it, chat or not), kept alive, re-authenticated once on 4401. What a
 * frame means for a chat is the panel's (see attachPanel); before the panel's code has loaded
 * there is no chat on this page to hear about. */
import { ParleySocket } from "../../client/src/index.js";
import { applySession, createSession } from "./session.js";
import { S } from "./state.js";

/**
 * The panel's side of the socket (widget/src/panel-main.js), once its code has loaded.
 * @typedef {object} PanelHooks
 * @property {() => void} onOpen
 * @property {() => void} onClose
 * @property {(f: any) => void} onFrame
 * @property {(f: any, verdict: string) => void} onMessage
 * @property {(f: any) => boolean} onResumeDone
 * @property {() => void} flush
 * @property {(data: any) => void} onSession a new session (after 4401, or setUser changed who we are)
 * @property {() => void} renderStatus
 * @property {() => void} show the panel opens (the launcher has done its part)
 * @property {() => boolean} hide it closes; true when the focus was inside it
 */

/** @type {ParleySocket} */
export let socket = /** @type {any} */ (null);
/** @type {PanelHooks | null} */
let panel = null;
/** @type {(f: any) => void} */
let onInvitation = () => {};
/** @type {(f: any) => void} */
let onInvitationDismissed = () => {};
/** @type {() => void} */
let onOpened = () => {};

/** @param {PanelHooks} hooks */
export function attachPanel(hooks) {
  panel = hooks;
}

/** @param {{invitation: (f: any) => void, invitationDismissed: (f: any) => void, opened: () => void}} loader */
export function initSocket(loader) {
  onInvitation = loader.invitation;
  onInvitationDismissed = loader.invitationDismissed;
  onOpened = loader.opened;
  socket = new ParleySocket({
    url: () => S.wsBase + "/ws/visitor",
    token: () => S.token || "none",
    pingMs: 25000,
    deadMs: 60000, // no pong for two rounds: dead even if nobody told us
    connectTimeoutMs: 15000, // a black-holed network: neither opens nor fails
    stableMs: 10000,
    maxAttempt: 16,
    hooks: {
      onOpen: () => {
        onOpened();
        if (panel) panel.onOpen();
      },
      onClose: () => {
        if (panel) panel.onClose();
      },
      onUnauthorized: () => {
        reauth();
      },
      onFrame: (f) =>
        guard(f, () => {
          if (f.type === "invitation") onInvitation(f);
          else if (f.type === "invitation.dismissed") onInvitationDismissed(f);
          if (panel) panel.onFrame(f);
        }),
      onMessage: (f, verdict) => guard(f, () => panel && panel.onMessage(f, verdict)),
      onResumeDone: (f) => (panel ? panel.onResumeDone(f) : false),
      onCaughtUp: () => panel && panel.flush(),
    },
  });
  window.addEventListener("online", reconnectNow);
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") reconnectNow();
  });
}

/** @param {any} f @param {() => void} fn */
function guard(f, fn) {
  S.reauthTried = false; // the server talks to us: our token is good
  try {
    fn();
  } catch (e) {
    console.warn("[Parley] could not handle a frame", f.type, e);
  }
}

/** @param {object} frame */
export function send(frame) {
  return socket.send(frame);
}

export function ensureSocket() {
  if (!S.gaveUp) socket.ensure();
}

export function reconnectNow() {
  if (!S.gaveUp) socket.reconnectNow();
}

/** A new session says who we are: the panel adjusts its chat. */
export function sessionChanged(/** @type {any} */ data) {
  if (panel) panel.onSession(data);
}

/** Close code 4401: our token is no good. Get a fresh identity once, then connect again. */
async function reauth() {
  if (S.reauthTried) {
    S.gaveUp = true;
    socket.stop();
    console.warn("[Parley] the chat server keeps refusing this visitor; chat is unavailable");
    if (panel) panel.renderStatus();
    return;
  }
  S.reauthTried = true;
  try {
    const data = await createSession(false);
    applySession(data);
    sessionChanged(data);
    socket.connect();
  } catch {
    S.reauthTried = false;
    setTimeout(reauth, socket.nextDelay());
  }
}
