// @ts-check
/** The loader (widget.js, the script shops embed): reads its <script> tag, publishes
 * window.Parley (replaying calls queued before it loaded), counts the visit (page views and
 * events, chat or not) and puts the bubble on the page. The panel's code loads when it opens. */
import { EVENTS, cleanUser, createBus, eventFrame, invoke, replay } from "./api.js";
import { attachPanel, ensureSocket, initSocket, reconnectNow, send, sessionChanged, socket } from "./connection.js";
import { deepLink } from "./deeplink.js";
import { close, initLauncher, loadPanel, mountLauncher, open, renderUnread, toggle } from "./launcher.js";
import { applySession, createSession } from "./session.js";
import { S, ui } from "./state.js";
import { initStorage, local, readProfile, tab } from "./storage.js";
import { dismissedElsewhere, initTeaser, invited } from "./teaser.js";
import { flushTracked, pageView, sendTracked, watchNavigation } from "./tracking.js";

function start() {
  const W = /** @type {any} */ (window);
  const D = document;
  if (D.getElementById("parley-widget") || (W.Parley && W.Parley.version)) return;

  const script = /** @type {HTMLScriptElement | null} */ (D.currentScript || D.querySelector("script[data-site-key]"));
  const siteKey = script && script.getAttribute("data-site-key");
  if (!script || !siteKey) {
    console.warn("[Parley] widget not shown: no data-site-key on the script tag");
    return;
  }
  try {
    S.base = new URL(script.src, location.href).origin;
  } catch {
    console.warn("[Parley] widget not shown: cannot read the script's address");
    return;
  }
  S.siteKey = siteKey;
  S.wsBase = S.base.replace(/^http/, "ws");
  S.colorOverride = script.getAttribute("data-color");
  initStorage(siteKey);
  S.token = local.get("token");

  const bus = createBus();
  initSocket({
    invitation: (f) => {
      bus.emit("invitation", { ...f });
      invited(f);
    },
    invitationDismissed: dismissedElsewhere,
    opened: flushTracked,
  });
  initTeaser({ open: () => open(), send: sendTracked });
  initLauncher({
    emit: bus.emit,
    // What the panel's code shares with this loader: one state, one socket, one storage.
    core: {
      S, ui, socket, local, tab, send, ensureSocket, reconnectNow, applySession, readProfile,
      renderUnread, close, emit: bus.emit, attach: attachPanel,
    },
  });

  // Sessions one after another: a later answer (setUser) never loses to an earlier one.
  let session = Promise.resolve(/** @type {any} */ (null));
  let started = false;
  /** @param {unknown} user */
  const setUser = (user) => {
    const before = JSON.stringify(S.user);
    S.user = cleanUser(user);
    if (!started || JSON.stringify(S.user) === before) return; // the first session carries it
    session = session
      .then(() => createSession(true))
      .then((data) => {
        const changed = !S.visitor || data.visitor.id !== S.visitor.id;
        applySession(data);
        if (changed) {
          sessionChanged(data);
          socket.drop();
          socket.connect();
        }
      })
      .catch((e) => console.warn("[Parley] setUser:", (e && e.message) || e));
  };

  /** @type {Record<string, any>} */
  const api = {
    version: "1",
    /** @param {{department?: string}} [options] */
    open: (options) => open(options),
    close: () => close(),
    toggle: () => toggle(),
    setUser,
    /** @param {string} name @param {Record<string, any>} [data] */
    track: (name, data) => {
      const frame = eventFrame(name, data);
      if (frame) sendTracked(frame);
    },
    /** @param {string} event @param {(detail?: any) => void} cb */
    on: (event, cb) => bus.on(event, cb),
    /** @param {string} event @param {(detail?: any) => void} cb */
    off: (event, cb) => bus.off(event, cb),
    /** @param {unknown} item */
    push: (item) => invoke(api, item),
    events: EVENTS.slice(),
  };
  const queued = W.Parley;
  // An object a page prepared keeps its identity; a queue (array) is replaced once replayed.
  W.Parley = queued && typeof queued === "object" && !Array.isArray(queued) ? Object.assign(queued, api) : api;

  pageView(); // first, so the page's own queued events belong to this page
  const link = deepLink(location.href);
  if (link.department) S.department = link.department;
  replay(W.Parley, queued);
  if (link.open) open();
  watchNavigation(() => {
    if (deepLink(location.href).open) open();
  });

  const domReady = new Promise((resolve) => {
    if (D.readyState === "loading") D.addEventListener("DOMContentLoaded", resolve, { once: true });
    else resolve(undefined);
  });

  started = true;
  session = createSession(true);
  Promise.all([session, domReady])
    .then(([data]) => {
      applySession(data);
      ensureSocket();
      try {
        mountLauncher();
      } catch (e) {
        const host = D.getElementById("parley-widget");
        if (host) host.remove();
        S.mounted = false;
        throw e;
      }
      const active = S.config.active_chat;
      // In a chat: the panel's code comes at once (unread messages, the chat after a reload).
      if (S.pendingOpen || (S.pendingOpen === null && active && tab.get("open") === "1")) open();
      else if (active && active.id) loadPanel().catch((e) => console.warn("[Parley] chat panel not loaded:", e.message));
      S.ready = true;
      bus.emit("ready", { visitor_id: S.visitor && S.visitor.id }, true);
    })
    .catch((e) => console.warn("[Parley] chat widget not shown:", (e && e.message) || e));
}

start();
