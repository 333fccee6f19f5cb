// @ts-check
/** The proactive invitation's teaser: a small card above the bubble (the agent's photo and name
 * when the server names one, the trigger's message, a close ×). Part of the loader, so showing it
 * costs no panel code; never a blocking pop-up. Clicking it opens the panel and accepts the
 * invitation (the next `chat.start` carries its id); × or Escape dismisses it
 * (`invitation.dismiss`); `invitation.dismissed` from another tab hides it here too. Once it is
 * actually on screen (the tab visible), `invitation.shown` tells the server, once per tab. */
import { h } from "../../client/src/index.js";
import { lt } from "./loader-i18n.js";
import { S, ui } from "./state.js";

/** @typedef {{type: string, invitation_id: string, trigger_id?: string, message: string, open_panel?: boolean,
 *   agent?: {id: string, name: string, avatar_url?: string | null}}} InvitationFrame */

/** @type {{open: () => void, send: (frame: object) => void}} */
let deps = { open: () => {}, send: () => {} };
/** The invitation on show (or waiting for the bubble to be mounted). @type {InvitationFrame | null} */
let shown = null;

/** Invitations this tab reported as shown (the server keeps the first report of any tab). */
const reported = new Set();
/** @type {string | null} an invitation drawn while the tab was hidden, reported when it shows */
let pendingShown = null;

/** Tells the server the visitor can see the invitation now, or when the tab becomes visible.
 * @param {string} id */
function reportShown(id) {
  if (reported.has(id)) return;
  if (typeof document !== "undefined" && document.visibilityState === "hidden") {
    if (pendingShown === null) {
      document.addEventListener("visibilitychange", function later() {
        if (document.visibilityState === "hidden") return;
        document.removeEventListener("visibilitychange", later);
        const waiting = pendingShown;
        pendingShown = null;
        // Still on screen (not dismissed or taken up elsewhere meanwhile)?
        if (waiting && ((shown && shown.invitation_id === waiting) || S.invitationId === waiting)) {
          reportShown(waiting);
        }
      });
    }
    pendingShown = id;
    return;
  }
  reported.add(id);
  deps.send({ type: "invitation.shown", invitation_id: id });
}

/** @param {{open: () => void, send: (frame: object) => void}} d the launcher's open; a send that
 * waits for the socket (tracking.js) */
export function initTeaser(d) {
  deps = d;
}

/** @param {string} name */
function initials(name) {
  const parts = String(name || "").trim().split(/\s+/).filter(Boolean).slice(0, 2);
  return parts.map((p) => Array.from(p)[0]).join("").toUpperCase() || "?";
}

/** An agent's photo we are willing to load (http(s) only), else null. @param {unknown} url */
function photoUrl(url) {
  if (typeof url !== "string" || !url) return null;
  try {
    const u = new URL(url, S.base);
    return u.protocol === "https:" || u.protocol === "http:" ? u.href : null;
  } catch {
    return null;
  }
}

/** @param {{name: string, avatar_url?: string | null}} agent */
function photo(agent) {
  const wrap = h("span", { class: "teaser__photo", "aria-hidden": "true" });
  const fallback = () => {
    wrap.textContent = initials(agent.name);
    wrap.classList.add("teaser__photo--initials");
  };
  const src = photoUrl(agent.avatar_url);
  if (!src) {
    fallback();
    return wrap;
  }
  const img = h("img", { src, alt: "", decoding: "async", referrerpolicy: "no-referrer" });
  img.addEventListener("error", () => {
    img.remove();
    fallback();
  }, { once: true });
  wrap.append(img);
  return wrap;
}

/** The teaser's host element and the polite live region, made once by the launcher. */
export function mountTeaser() {
  ui.teaser = h("div", {
    class: "teaser",
    "data-testid": "parley-teaser",
    role: "group",
    "aria-label": lt("invitation"),
    hidden: true,
    onkeydown: (/** @type {KeyboardEvent} */ e) => {
      if (e.key === "Escape") {
        e.stopPropagation();
        dismiss();
      }
    },
  });
  // Announced once when the teaser appears, without moving the visitor's focus.
  ui.teaserStatus = h("div", { class: "sr-only", role: "status", "aria-live": "polite", "aria-atomic": "true" });
  if (shown) render(shown);
  return [ui.teaser, ui.teaserStatus];
}

/** The server's `invitation` frame. @param {InvitationFrame} f */
export function invited(f) {
  if (!f || typeof f.invitation_id !== "string" || typeof f.message !== "string") return;
  if (S.chat && S.chat.status !== "closed") return; // already talking to us
  if (f.open_panel) {
    // The shop asked for the panel itself; a chat started from it is counted as accepted.
    shown = null;
    hideTeaser();
    S.invitationId = f.invitation_id;
    deps.open();
    reportShown(f.invitation_id);
    return;
  }
  if (S.isOpen) return; // the visitor is already looking at the panel: nothing to tease
  shown = f;
  if (ui.teaser) render(f);
}

/** `invitation.dismissed`: the visitor said no in some tab. @param {{invitation_id?: string}} f */
export function dismissedElsewhere(f) {
  if (shown && f && f.invitation_id === shown.invitation_id) {
    shown = null;
    hideTeaser();
  }
}

/** Hides the teaser for good (the panel opened, or the invitation is over). Opening the panel
 * with the bubble is not taking the invitation up: only the teaser itself is. */
export function hideTeaser() {
  shown = null;
  if (!ui.teaser || ui.teaser.hidden) return;
  const hadFocus = ui.shadow && ui.teaser.contains(ui.shadow.activeElement);
  ui.teaser.hidden = true;
  ui.teaser.replaceChildren();
  ui.teaserStatus.textContent = "";
  if (hadFocus && ui.bubble) ui.bubble.focus();
}

/** @param {InvitationFrame} f */
function render(f) {
  const agent = f.agent && typeof f.agent.name === "string" ? f.agent : null;
  const text = f.message.slice(0, 500);
  const body = h(
    "button",
    {
      type: "button",
      class: "teaser__open",
      "data-testid": "parley-teaser-open",
      "aria-label": (agent ? agent.name + ": " : "") + text + " " + lt("open_chat"),
      onclick: accept,
    },
    agent ? photo(agent) : null,
    h("span", { class: "teaser__text" },
      agent ? h("span", { class: "teaser__name", text: agent.name }) : null,
      h("span", { class: "teaser__message", "data-testid": "parley-teaser-message", text })),
  );
  const x = h("button", {
    type: "button",
    class: "teaser__close",
    "data-testid": "parley-teaser-close",
    "aria-label": lt("dismiss_label"),
    title: lt("dismiss"),
    text: "×",
    onclick: dismiss,
  });
  ui.teaser.replaceChildren(body, x);
  ui.teaser.hidden = false;
  ui.teaserStatus.textContent = (agent ? agent.name + ": " : "") + text;
  reportShown(f.invitation_id);
}

function accept() {
  const f = shown;
  if (!f) return;
  shown = null;
  S.invitationId = f.invitation_id;
  deps.send({ type: "invitation.accept", invitation_id: f.invitation_id });
  hideTeaser();
  deps.open();
}

function dismiss() {
  const f = shown;
  if (!f) return;
  shown = null;
  deps.send({ type: "invitation.dismiss", invitation_id: f.invitation_id });
  hideTeaser();
  if (ui.bubble) ui.bubble.focus();
}
