// @ts-check
/** The launcher: a shadow-DOM host with the bubble, opened and closed. The panel's code (and its
 * stylesheet) is fetched the first time the panel opens, or at once for a visitor who is in a
 * chat: a visitor who never opens it pays for the bubble only. */
import { h } from "../../client/src/index.js";
import { ensureSocket } from "./connection.js";
import { bubbleHidden } from "./availability.js";
import { ICON_CHAT, ICON_DOWN, withIcon } from "./icons.js";
import { DEFAULT_COLOR, S, ui } from "./state.js";
import { tab } from "./storage.js";
import { lt } from "./loader-i18n.js";
import { hideTeaser, mountTeaser } from "./teaser.js";
import { inkOnWhite, parseRgb, textOn } from "./contrast.js";

// Replaced by the build with tokens the server swaps for widget/loader.css and for the version of
// the panel's bundle (app/web/pages.py), so the panel's URL is cached for a year.
/* global __PARLEY_CSS__, __PARLEY_PANEL_VERSION__ */
const CSS = __PARLEY_CSS__;
const PANEL_VERSION = __PARLEY_PANEL_VERSION__;

/** @typedef {import("./connection.js").PanelHooks} PanelHooks */

/** @type {Promise<PanelHooks> | null} */
let loading = null;
/** @type {PanelHooks | null} */
let panel = null;
/** @type {(event: string, detail?: any) => void} */
let emit = () => {};

/** What the panel shares with the loader (see core.js). @type {Record<string, any>} */
let coreForPanel = {};

/** Fetches the panel's code once; it registers itself through the object given to its script. */
export function loadPanel() {
  if (!loading) {
    loading = new Promise((resolve, reject) => {
      const script = /** @type {HTMLScriptElement & {parleyCore?: any}} */ (document.createElement("script"));
      script.src = S.base + "/widget/panel.js?v=" + encodeURIComponent(PANEL_VERSION);
      script.async = true;
      // The panel's texts in the visitor's language, fetched beside its code under the same version.
      const texts = fetch(S.base + "/widget/i18n/" + S.lang + ".json?v=" + encodeURIComponent(PANEL_VERSION), { mode: "cors", credentials: "omit" })
        .then((res) => (res.ok ? res.json() : null))
        .catch(() => null);
      script.parleyCore = {
        ...coreForPanel,
        texts,
        /** @param {PanelHooks} hooks */
        ready(hooks) {
          panel = hooks;
          coreForPanel.attach(hooks);
          resolve(hooks);
        },
      };
      script.onerror = () => {
        loading = null;
        script.remove();
        reject(new Error("could not load " + script.src));
      };
      (document.head || document.documentElement).appendChild(script);
    });
  }
  return loading;
}

/** @param {{emit: (event: string, detail?: any) => void, core: Record<string, any>}} opts */
export function initLauncher(opts) {
  emit = opts.emit;
  coreForPanel = opts.core;
}

/** @param {{department?: string} | undefined} [options] */
export function open(options) {
  if (options && typeof options.department === "string") S.department = options.department.slice(0, 64);
  if (!S.mounted) {
    S.pendingOpen = true;
    return;
  }
  if (S.isOpen) return;
  S.isOpen = true;
  hideTeaser();
  ui.root.classList.add("is-open");
  ui.bubble.setAttribute("aria-expanded", "true");
  withIcon(ui.bubbleIcon, ICON_DOWN);
  S.unread = 0;
  renderUnread();
  tab.set("open", "1");
  ensureSocket();
  loadPanel().then(
    (p) => {
      if (S.isOpen) p.show();
    },
    (e) => {
      console.warn("[Parley] chat panel not shown:", e.message);
      close();
    },
  );
  emit("open");
}

export function close() {
  if (!S.mounted) {
    S.pendingOpen = false;
    return;
  }
  if (!S.isOpen) return;
  S.isOpen = false;
  const hadFocus = panel ? panel.hide() : false;
  ui.root.classList.remove("is-open");
  ui.bubble.setAttribute("aria-expanded", "false");
  withIcon(ui.bubbleIcon, ICON_CHAT);
  tab.set("open", null);
  if (hadFocus) ui.bubble.focus();
  emit("close");
}

export const toggle = () => (S.isOpen ? close() : open());

export function renderUnread() {
  const unread = S.unread;
  ui.unread.textContent = unread > 9 ? "9+" : String(unread);
  ui.unread.hidden = unread === 0;
  ui.bubble.setAttribute("aria-label", lt("bubble"));
  ui.bubble.title = unread ? lt(unread === 1 ? "unread_one" : "unread_other", { n: unread }) : lt("bubble");
}

function applyTheme() {
  const config = S.config;
  let color = S.colorOverride || (config.theme && config.theme.color) || DEFAULT_COLOR;
  if (!(window.CSS && window.CSS.supports && window.CSS.supports("color", color))) color = DEFAULT_COLOR;
  const st = ui.root.style;
  st.setProperty("--parley-color", color);
  // Readable text on the shop's colour, whatever it is (contrast.js).
  ui.probe.style.color = color;
  const rgb = parseRgb(getComputedStyle(ui.probe).color) || parseRgb(DEFAULT_COLOR) || [15, 118, 110];
  st.setProperty("--parley-rgb", rgb.join(","));
  st.setProperty("--parley-on-color", textOn(rgb));
  st.setProperty("--parley-ink", inkOnWhite(rgb, color));
}

/** Puts the bubble on the page (the session is known: its theme colour). */
export function mountLauncher() {
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
    "aria-label": lt("bubble"),
    "aria-expanded": "false",
    "aria-controls": "parley-panel",
    onclick: toggle,
  }, ui.bubbleIcon, ui.unread);
  ui.root = h("div", {
    class: "root",
    lang: S.lang, // read aloud in the widget's language, whatever the shop's page is in
    onkeydown: (/** @type {KeyboardEvent} */ e) => {
      if (e.key === "Escape" && S.isOpen) {
        e.stopPropagation();
        close();
        ui.bubble.focus();
      }
    },
  }, ...mountTeaser(), ui.bubble, ui.probe);
  shadow.append(ui.root);
  document.body.appendChild(host);
  // The shop hides the bubble while nobody can answer (a visitor in a chat still sees theirs).
  if (bubbleHidden()) {
    host.style.setProperty("display", "none", "important");
    host.setAttribute("data-hidden", "unavailable");
  }
  applyTheme();
  renderUnread();
  S.mounted = true;
}
