// @ts-check
/** The panel's view of the loader. The loader (widget.js) owns the page's one state, storage,
 * session and socket; when it loads the panel's bundle (panel.js) it hands them over, and
 * panel-main.js binds them here before any other panel code runs. Panel modules import these,
 * never state.js or connection.js themselves (those would be second copies in this bundle). */

/** @typedef {import("./connection.js").PanelHooks} PanelHooks */
/** @typedef {typeof import("./storage.js").local} Storage */

export { MAX_BODY, MAX_FILE } from "./state.js";

/** @type {typeof import("./state.js").S} */
export let S = /** @type {any} */ (null);
/** @type {typeof import("./state.js").ui} */
export let ui = /** @type {any} */ (null);
/** @type {import("../../client/src/index.js").ParleySocket} */
export let socket = /** @type {any} */ (null);
/** @type {Storage} */
export let local = /** @type {any} */ (null);
/** @type {Storage} */
export let tab = /** @type {any} */ (null);
/** @type {(frame: object) => boolean} */
export let send = () => false;
/** @type {() => void} */
export let ensureSocket = () => {};
/** @type {() => void} */
export let reconnectNow = () => {};
/** @type {(data: any) => void} */
export let applySession = () => {};
/** @type {() => {name?: string, email?: string}} */
export let readProfile = () => ({});
/** @type {() => void} */
export let renderUnread = () => {};
/** @type {() => void} the launcher's close (the panel's minimise button, Escape) */
export let closePanel = () => {};
/** @type {(event: string, detail?: any) => void} Parley.on() listeners */
export let emit = () => {};

/** @param {any} core the object the loader gave the panel's <script> */
export function bind(core) {
  ({ S, ui, socket, local, tab, send, ensureSocket, reconnectNow, applySession, readProfile, renderUnread, emit } = core);
  closePanel = core.close;
}

export const chatOpen = () => !!S.chat && S.chat.status !== "closed";
