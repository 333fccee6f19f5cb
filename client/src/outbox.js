// @ts-check
/** Our unacknowledged frames, re-sent after a reconnect under the same client_msg_id (the server
 * stores each id once, so a message sent twice is shown once). */

/**
 * @typedef {object} OutboxEntry
 * @property {string} cid the frame's client_msg_id
 * @property {boolean} acked
 * @property {boolean} failed
 * @property {number} sentOn the connection (ParleySocket.generation) it was last sent on; 0: not yet
 */

/** @template {OutboxEntry} T */
export class Outbox {
  constructor() {
    /** @type {Map<string, T>} */
    this.items = new Map();
  }

  /** @param {T} entry @returns {T} */
  add(entry) {
    this.items.set(entry.cid, entry);
    return entry;
  }

  /** @param {string | undefined | null} cid @returns {T | undefined} */
  get(cid) {
    return cid ? this.items.get(cid) : undefined;
  }

  /** @param {string | undefined | null} cid */
  delete(cid) {
    return cid ? this.items.delete(cid) : false;
  }

  /** @param {string | undefined | null} cid @returns {T | undefined} the entry, now acked */
  ack(cid) {
    const entry = this.get(cid);
    if (entry) {
      entry.acked = true;
      entry.failed = false;
    }
    return entry;
  }

  /** @param {string | undefined | null} cid @returns {T | undefined} */
  fail(cid) {
    const entry = this.get(cid);
    if (entry) entry.failed = true;
    return entry;
  }

  values() {
    return this.items.values();
  }

  get size() {
    return this.items.size;
  }

  /**
   * Sends every entry not yet acked, failed or sent on connection `generation`; `build` makes its
   * frame (null: not now) and `send` reports whether it went out.
   * @param {number} generation
   * @param {(frame: object) => boolean} send
   * @param {(entry: T) => object | null} build
   */
  flush(generation, send, build) {
    for (const entry of this.items.values()) {
      if (entry.acked || entry.failed || entry.sentOn === generation) continue;
      const frame = build(entry);
      if (frame && send(frame)) entry.sentOn = generation;
    }
  }
}
