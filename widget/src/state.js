// @ts-check
/** The widget's state, one per page, shared by the loader (widget.js) and the panel (panel.js):
 * the loader creates it and hands it to the panel when the panel's code loads (see core.js). */

/** @typedef {{id: string, status: string, agent: any, queue: any}} Chat */
/** @typedef {{id: string, email?: string, name?: string, hash?: string}} User */

export const S = {
  siteKey: "",
  base: "", // the Parley server's origin (where widget.js came from)
  wsBase: "",
  colorOverride: /** @type {string | null} */ (null),
  token: /** @type {string | null} */ (null),
  config: /** @type {any} */ (null),
  visitor: /** @type {any} */ (null),
  visitorName: "",
  // The widget's language (en, da, sv, nl, de): the site's, or the browser's (see text.js).
  lang: "en",
  // Parley.setUser(): sent with every widget session request as `user`.
  user: /** @type {User | null} */ (null),
  // A department to preselect in the pre-chat form (deep link, Parley.open({department})).
  department: /** @type {string | null} */ (null),
  chat: /** @type {Chat | null} */ (null),
  // The proactive invitation the visitor took up: the next chat.start carries it.
  invitationId: /** @type {string | null} */ (null),
  reauthTried: false,
  gaveUp: false,
  wantClose: false,
  isOpen: false,
  unread: 0,
  view: "prechat",
  mounted: false, // the launcher (bubble) is on the page
  ready: false, // mounted and the visitor's session is known: Parley.on("ready") has fired
  pendingOpen: /** @type {boolean | null} */ (null),
};

/** The widget's elements: the launcher's (filled in by mountLauncher), then the panel's. @type {Record<string, any>} */
export const ui = {};

export const MAX_BODY = 5000;
export const MAX_FILE = 10 * 1024 * 1024;
export const DEFAULT_COLOR = "#0f766e";
