// @ts-check
/** localStorage / sessionStorage under the site's prefix; either may be blocked (private mode,
 * sandboxed frames), and the widget carries on without. */

/** @param {"localStorage" | "sessionStorage"} kind @param {string} prefix */
function storage(kind, prefix) {
  return {
    /** @param {string} k @returns {string | null} */
    get(k) {
      try {
        return window[kind].getItem(prefix + k);
      } catch {
        return null;
      }
    },
    /** @param {string} k @param {string | null} v */
    set(k, v) {
      try {
        if (v == null) window[kind].removeItem(prefix + k);
        else window[kind].setItem(prefix + k, v);
      } catch {
        /* private mode, sandboxed frame: carry on without */
      }
    },
  };
}

export let local = storage("localStorage", "parley::");
export let tab = storage("sessionStorage", "parley::");

/** @param {string} siteKey */
export function initStorage(siteKey) {
  const prefix = "parley:" + siteKey + ":";
  local = storage("localStorage", prefix);
  tab = storage("sessionStorage", prefix);
}

/** The pre-chat form's name and e-mail as last entered. @returns {{name?: string, email?: string}} */
export function readProfile() {
  try {
    const p = JSON.parse(local.get("profile") || "{}");
    return p && typeof p === "object" ? p : {};
  } catch {
    return {};
  }
}
