// @ts-check
/** Per-chat sequence tracking: every message is shown once, in seq order, after any drop.
 *
 * Pure bookkeeping (no socket, no timers) so it can be tested on its own; ParleySocket decides
 * when to send `resume` from the verdicts returned here. */

/**
 * @typedef {object} ChatSeq
 * @property {number} last highest seq shown with nothing missing below it
 * @property {number} from `last` when the running resume was asked for
 * @property {Set<number>} ahead seqs known (acked) past `last`, not yet contiguous
 * @property {number} max highest seq the server told us exists
 * @property {boolean} resuming a `resume` is on its way
 * @property {boolean} initial no resume has completed yet (history, not news)
 */

/** @typedef {"old" | "gap" | "next"} MessageVerdict */
/** @typedef {"old" | "next" | "ahead"} AckVerdict */

export class SeqTracker {
  constructor() {
    /** @type {Map<string, ChatSeq>} */
    this.chats = new Map();
  }

  /** The chat's state, created on first use. @param {string} id @returns {ChatSeq} */
  get(id) {
    let s = this.chats.get(id);
    if (!s) {
      s = { last: 0, from: 0, ahead: new Set(), max: 0, resuming: false, initial: true };
      this.chats.set(id, s);
    }
    return s;
  }

  /** @param {string} id */
  has(id) {
    return this.chats.has(id);
  }

  /** @param {string} id */
  forget(id) {
    this.chats.delete(id);
  }

  /** @returns {string[]} */
  ids() {
    return [...this.chats.keys()];
  }

  /** @param {string} id */
  isResuming(id) {
    const s = this.chats.get(id);
    return !!s && s.resuming;
  }

  /** @param {string} id @returns {number} */
  last(id) {
    const s = this.chats.get(id);
    return s ? s.last : 0;
  }

  /**
   * A `message.new` with this seq arrived: "old" (already shown), "gap" (some before it are
   * missing: resume instead of showing it now) or "next" (show it; `last` moved on).
   * @param {string} id @param {number} seq @returns {MessageVerdict}
   */
  message(id, seq) {
    const s = this.get(id);
    if (seq <= s.last) return "old";
    if (seq > s.last + 1) {
      s.max = Math.max(s.max, seq);
      return "gap";
    }
    advance(s, seq);
    return "next";
  }

  /**
   * Our own message was stored under this seq (`message.ack`): "next" moves `last` on, "ahead"
   * notes a seq past a gap (the ones between should be on their way), "old" changes nothing.
   * @param {string} id @param {number} seq @returns {AckVerdict}
   */
  ack(id, seq) {
    const s = this.get(id);
    if (seq === s.last + 1) {
      advance(s, seq);
      return "next";
    }
    if (seq > s.last) {
      s.ahead.add(seq);
      s.max = Math.max(s.max, seq);
      return "ahead";
    }
    return "old";
  }

  /** Whether the server has told us of seqs we have not shown. @param {string} id */
  behind(id) {
    const s = this.chats.get(id);
    return !!s && s.max > s.last;
  }

  /**
   * Starts a resume: the `after_seq` to ask from, or null when one is already running.
   * @param {string} id @returns {number | null}
   */
  startResume(id) {
    const s = this.get(id);
    if (s.resuming) return null;
    s.resuming = true;
    s.from = s.last;
    return s.last;
  }

  /**
   * `resume.done` arrived. True when the server has another page (resume again right away);
   * otherwise the chat's history is complete (`initial` ends) and `settle` decides what next.
   * @param {string} id @param {boolean} more @param {number | undefined} lastSeq
   */
  resumeDone(id, more, lastSeq) {
    const s = this.get(id);
    s.resuming = false;
    if (more) return true;
    s.initial = false;
    if (typeof lastSeq === "number") s.max = Math.max(s.max, lastSeq);
    return false;
  }

  /**
   * After a complete resume: true when something arrived out of order meanwhile and the resume
   * made progress (ask again); false when caught up. Never loops on a seq the server won't give.
   * @param {string} id
   */
  settle(id) {
    const s = this.get(id);
    if (s.max > s.last && s.last > s.from) return true;
    s.max = s.last;
    return false;
  }

  /** The connection dropped: no resume is on its way any more. */
  connectionLost() {
    for (const s of this.chats.values()) s.resuming = false;
  }
}

/** @param {ChatSeq} s @param {number} seq */
function advance(s, seq) {
  s.last = seq;
  s.ahead.delete(seq);
  while (s.ahead.delete(s.last + 1)) s.last++;
}
