// @ts-check
/** The widget's state, shared by its modules (one widget per page, so plain module state). */

/** @typedef {{id: string, status: string, agent: any, queue: any}} Chat */

export const S = {
  siteKey: "",
  base: "", // the Parley server's origin (where widget.js came from)
  wsBase: "",
  colorOverride: /** @type {string | null} */ (null),
  token: /** @type {string | null} */ (null),
  config: /** @type {any} */ (null),
  visitor: /** @type {any} */ (null),
  visitorName: "",
  chat: /** @type {Chat | null} */ (null),
  reauthTried: false,
  gaveUp: false,
  wantClose: false,
  isOpen: false,
  unread: 0,
  view: "prechat",
  mounted: false,
  pendingOpen: /** @type {boolean | null} */ (null),
};

/** The widget's elements, filled in by mount(). @type {Record<string, any>} */
export const ui = {};

export const chatOpen = () => !!S.chat && S.chat.status !== "closed";

export const MAX_BODY = 5000;
export const MAX_FILE = 10 * 1024 * 1024;
export const DEFAULT_COLOR = "#0f766e";
