// @ts-check
/** The visit, chat or not: a `page.view` on load and on every navigation of a single-page shop
 * (history.pushState/replaceState, back and forward), and the page's `Parley.track` events.
 * Frames wait here, in order, until the socket is open; a reconnect does not repeat a page view
 * (the server keeps the visitor's pages, and a repeat would restart their time on the page). */
import { pageKey } from "./deeplink.js";
import { socket } from "./connection.js";

/** @param {string | undefined} s @param {number} n */
const clip = (s, n) => (typeof s === "string" ? s.slice(0, n) : "");

// A tab left open on a blocked network does not grow without bound: the oldest go first.
const MAX_WAITING = 50;
// Frameworks set the new page's title just after they change the address.
const TITLE_SETTLE_MS = 50;

/** @type {object[]} */
const waiting = [];
let lastHref = "";
let lastKey = "";

/** @param {object} frame */
export function sendTracked(frame) {
  waiting.push(frame);
  if (waiting.length > MAX_WAITING) waiting.shift();
  flushTracked();
}

export function flushTracked() {
  while (waiting.length && socket && socket.send(waiting[0])) waiting.shift();
}

/** @type {{href: string, timer: any} | null} a navigation whose title may still change */
let settling = null;

/** @param {string} href */
function sendView(href) {
  /** @type {Record<string, string>} */
  const pv = { type: "page.view", url: clip(href, 2000) };
  if (document.title) pv.title = clip(document.title, 500);
  const referrer = lastHref || document.referrer;
  if (referrer) pv.referrer = clip(referrer, 2000);
  // For triggers with a language rule (the browser's preferred language, e.g. de-AT).
  if (navigator.language) pv.language = clip(navigator.language, 35);
  lastHref = href;
  sendTracked(pv);
}

/** A page view for the address the page has now, unless it is the page counted last (an
 * anchor on it, the same route again). @param {number} [settleMs] wait this long for the title */
export function pageView(settleMs = 0) {
  const href = location.href;
  const key = pageKey(href);
  if (key === lastKey) return;
  lastKey = key;
  if (settling) {
    // Navigated on before the last one settled: that one goes out now, in order.
    clearTimeout(settling.timer);
    sendView(settling.href);
    settling = null;
  }
  if (!settleMs) {
    sendView(href);
    return;
  }
  const pending = {
    href,
    timer: setTimeout(() => {
      if (settling === pending) settling = null;
      sendView(href);
    }, settleMs),
  };
  settling = pending;
}

/** Single-page shops navigate without loading a page: hear the history API. @param {() => void} onHash */
export function watchNavigation(onHash) {
  const later = () => pageView(TITLE_SETTLE_MS);
  const h = /** @type {any} */ (history);
  for (const name of ["pushState", "replaceState"]) {
    const original = h[name];
    if (typeof original !== "function") continue;
    h[name] = function (/** @type {any[]} */ ...args) {
      const result = original.apply(this, args);
      later();
      return result;
    };
  }
  window.addEventListener("popstate", later);
  window.addEventListener("hashchange", () => {
    later();
    onHash();
  });
}
