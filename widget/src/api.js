// @ts-check
/** The page's JavaScript API, `window.Parley`: calls made before the script loaded wait in an
 * array (`window.Parley = window.Parley || []; Parley.push(["open"])`) and are replayed in order;
 * `Parley.on(event, cb)` hears what the widget does. No DOM here, so node --test checks it. */

export const EVENTS = ["ready", "open", "close", "message", "invitation"];

/** @typedef {(detail?: any) => void} Listener */

/** A tiny event emitter whose listeners cannot break the widget (or each other). */
export function createBus() {
  /** @type {Map<string, Listener[]>} */
  const listeners = new Map();
  /** @type {Map<string, any>} events that happen once (ready): a late listener still hears them */
  const happened = new Map();
  /** @param {Listener} cb @param {any} detail */
  const call = (cb, detail) => {
    try {
      cb(detail);
    } catch (e) {
      console.warn("[Parley] an on() callback failed:", e);
    }
  };
  return {
    /** @param {string} event @param {Listener} cb */
    on(event, cb) {
      if (!EVENTS.includes(event) || typeof cb !== "function") {
        console.warn("[Parley] on(event, callback): event is one of " + EVENTS.join(", "));
        return;
      }
      const list = listeners.get(event) || [];
      list.push(cb);
      listeners.set(event, list);
      if (happened.has(event)) call(cb, happened.get(event));
    },
    /** @param {string} event @param {Listener} cb */
    off(event, cb) {
      const list = listeners.get(event);
      if (list) listeners.set(event, list.filter((f) => f !== cb));
    },
    /** @param {string} event @param {any} [detail] @param {boolean} [once] late listeners hear it too */
    emit(event, detail, once) {
      if (once) happened.set(event, detail);
      for (const cb of (listeners.get(event) || []).slice()) call(cb, detail);
    },
  };
}

/** One queued or pushed call, `[name, ...args]`, on the API object.
 * @param {Record<string, any>} api @param {unknown} item */
export function invoke(api, item) {
  if (!Array.isArray(item) || typeof item[0] !== "string" || item[0] === "push" || typeof api[item[0]] !== "function") {
    console.warn("[Parley] push([name, ...args]) needs the name of a Parley function, got", item);
    return;
  }
  try {
    api[item[0]](...item.slice(1));
  } catch (e) {
    console.warn("[Parley] " + item[0] + "() failed:", e);
  }
}

/** Replays the calls a page queued before the script loaded, in order. @param {Record<string, any>} api @param {unknown} queued */
export function replay(api, queued) {
  if (!Array.isArray(queued)) return;
  for (const item of queued.slice()) invoke(api, item);
}

const NUMERIC_VALUE = ["cart.updated", "order.completed"];

/** `Parley.track(name, data)` as a `visitor.event` frame the server accepts, or null (and a
 * warning a developer sees in the console). The server checks the same bounds.
 * @param {unknown} name @param {unknown} data @returns {{type: string, name: string, data: Record<string, any>} | null} */
export function eventFrame(name, data) {
  const n = typeof name === "string" ? name.trim() : "";
  if (!n || n.length > 64) {
    console.warn("[Parley] track(name, data): name is text of 1 to 64 characters");
    return null;
  }
  /** @type {Record<string, any>} */
  const out = {};
  if (data != null && typeof data === "object" && !Array.isArray(data)) {
    for (const [k, v] of Object.entries(data)) {
      if (Object.keys(out).length >= 20) break;
      if (!k || k.length > 64) continue;
      if (typeof v === "string") out[k] = v.slice(0, 500);
      else if ((typeof v === "number" && isFinite(v)) || typeof v === "boolean" || v === null) out[k] = v;
      else console.warn("[Parley] track(): data." + k + " is not text, a number or true/false; left out");
    }
  }
  if (NUMERIC_VALUE.includes(n) && "value" in out && typeof out.value !== "number") {
    const value = Number(out.value);
    if (typeof out.value === "string" && out.value.trim() && isFinite(value)) out.value = value;
    else {
      console.warn("[Parley] track(\"" + n + "\"): data.value must be a number; left out");
      delete out.value;
    }
  }
  return { type: "visitor.event", name: n, data: out };
}

/** `Parley.setUser(...)` as the session's `user`, or null to forget it. @param {any} user */
export function cleanUser(user) {
  if (user == null) return null;
  const id = user && (typeof user.id === "number" ? String(user.id) : user.id);
  if (typeof id !== "string" || !id) {
    console.warn("[Parley] setUser({id, email, name, hash}): id is required");
    return null;
  }
  /** @type {import("./state.js").User} */
  const out = { id: id.slice(0, 200) };
  for (const k of /** @type {const} */ (["email", "name", "hash"])) {
    if (typeof user[k] === "string" && user[k]) out[k] = user[k].slice(0, 320);
  }
  return out;
}
