// @ts-check
/** One Parley socket (visitor or agent side): connects with the token as a subprotocol, keeps
 * itself alive (ping, idle detection, reconnect with back-off and jitter), and keeps every
 * tracked chat complete and in order (seq gaps → `resume`, `resume.done` paging, `resync`).
 * What a frame means for the page is the caller's: it gets hooks, not DOM. */

import { backoffDelay } from "./backoff.js";
import { Outbox } from "./outbox.js";
import { SeqTracker } from "./seq.js";

/** @typedef {import("./types.js").Frame} Frame */
/** @typedef {import("./types.js").ServerFrame} ServerFrame */
/** @typedef {import("./types.js").SocketLike} SocketLike */
/** @typedef {import("./seq.js").MessageVerdict | "untracked"} Verdict */

/**
 * @typedef {object} Hooks
 * @property {() => void} [onOpen] the socket is open (after a reconnect too)
 * @property {(code: number) => void} [onClose] it closed or was dropped (idle, stuck)
 * @property {(code: number) => void} [onUnauthorized] close code 4401: the token is no good. Without
 *   this hook the socket stops; with it, the hook decides (`connect()` again or `giveUp()`).
 * @property {(frame: Frame) => void} [onFrame] every frame except `message.new` (after the
 *   client's own handling of `resume.done` and `resync`)
 * @property {(frame: Frame, verdict: Verdict) => void} [onMessage] a `message.new`; "next" is
 *   the one to show, "old" was shown already, "gap" is being fetched by a resume
 * @property {(frame: Frame) => boolean | void} [onResumeDone] a complete resume of a tracked
 *   chat; return false to stop there (e.g. the chat closed), anything else to settle it
 * @property {(chatId: string) => void} [onCaughtUp] a tracked chat has everything there is
 */

/**
 * @typedef {object} Timers
 * @property {(fn: () => void, ms: number) => any} setTimeout
 * @property {(id: any) => void} clearTimeout
 * @property {(fn: () => void, ms: number) => any} setInterval
 * @property {(id: any) => void} clearInterval
 * @property {() => number} now
 * @property {() => number} random
 */

/**
 * @typedef {object} Options
 * @property {() => string} url the socket's address (asked on every connect)
 * @property {() => string} token the newest token (asked on every connect; never in the URL)
 * @property {(url: string, protocols: string[]) => SocketLike} [createSocket] default: new WebSocket
 * @property {number} [pingMs] 25 s: below every proxy's idle timeout
 * @property {number} [deadMs] no frame for this long: the connection is dead (0: never judged)
 * @property {number} [connectTimeoutMs] an attempt neither open nor failed by then is dropped (0: off)
 * @property {number} [backoffBase]
 * @property {number} [backoffCap]
 * @property {number} [maxAttempt] the back-off exponent stops growing here
 * @property {number} [stableMs] 0: a successful open resets the back-off; more: only a
 *   connection that stayed open this long does (a server that accepts then drops is backed off)
 * @property {number} [ackCheckMs] an ack past a gap: resume if the gap is still there by then
 * @property {Partial<Timers>} [timers]
 * @property {Hooks} [hooks]
 */

const OPEN = 1;

/** @type {Timers} */
const REAL_TIMERS = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (id) => clearTimeout(id),
  setInterval: (fn, ms) => setInterval(fn, ms),
  clearInterval: (id) => clearInterval(id),
  now: () => Date.now(),
  random: () => Math.random(),
};

/** The subprotocols that carry the token (docs/protocol.md: never in the URL, which gets logged).
 * @param {string} token */
export function subprotocols(token) {
  return ["parley", "parley.auth." + (token || "none")];
}

export class ParleySocket {
  /** @param {Options} opts */
  constructor(opts) {
    this.opts = opts;
    this.hooks = opts.hooks || {};
    /** @type {Timers} */
    this.t = { ...REAL_TIMERS, ...(opts.timers || {}) };
    this.createSocket = opts.createSocket || ((url, protocols) => /** @type {SocketLike} */ (new WebSocket(url, protocols)));
    this.seq = new SeqTracker();
    /** @type {Outbox<any>} */
    this.outbox = new Outbox();
    /** @type {SocketLike | null} */
    this.ws = null;
    this.isOpen = false;
    this.everOpen = false;
    this.generation = 0; // one number per connection: what was sent on which
    this.attempt = 0;
    this.retryTimer = /** @type {any} */ (0);
    this.held = false; // a reconnect is up to someone else (e.g. re-authenticating)
    this.pingTimer = /** @type {any} */ (0);
    this.openedAt = 0;
    this.lastFrameAt = 0;
    this.wanted = false;
    this.stopped = false;
  }

  get open() {
    return !!this.ws && this.isOpen && this.ws.readyState === OPEN;
  }

  /** Connect unless connected, connecting, waiting to retry, held or stopped. */
  ensure() {
    this.wanted = true;
    if (!this.ws && !this.retryTimer && !this.held && !this.stopped) this.connect();
  }

  connect() {
    this.t.clearTimeout(this.retryTimer);
    this.retryTimer = 0;
    this.held = false;
    if (this.ws || this.stopped) return;
    this.wanted = true;
    /** @type {SocketLike} */
    let sock;
    try {
      sock = this.createSocket(this.opts.url(), subprotocols(this.opts.token()));
    } catch {
      this.scheduleReconnect();
      return;
    }
    this.ws = sock;
    this.generation++;
    const limit = this.opts.connectTimeoutMs || 0;
    const stuck = limit
      ? this.t.setTimeout(() => {
          if (this.ws === sock && !this.isOpen) {
            this.drop();
            this.scheduleReconnect();
          }
        }, limit)
      : 0;
    sock.onopen = () => {
      this.t.clearTimeout(stuck);
      if (this.ws !== sock) return;
      this.isOpen = true;
      this.everOpen = true;
      this.openedAt = this.lastFrameAt = this.t.now();
      if (!this.opts.stableMs) this.attempt = 0;
      this.t.clearInterval(this.pingTimer);
      this.pingTimer = this.t.setInterval(() => this.ping(), this.opts.pingMs || 25000);
      this.hooks.onOpen?.();
    };
    sock.onmessage = (ev) => {
      if (this.ws !== sock) return;
      this.lastFrameAt = this.t.now();
      let frame;
      try {
        frame = JSON.parse(ev.data);
      } catch {
        return;
      }
      if (frame && typeof frame === "object") this.receive(frame);
    };
    sock.onclose = (ev) => {
      this.t.clearTimeout(stuck);
      if (this.ws !== sock) return;
      this.drop(ev.code);
      if (ev.code === 4401) {
        if (this.hooks.onUnauthorized) {
          this.held = true;
          this.hooks.onUnauthorized(ev.code);
        } else this.stopped = true;
        return;
      }
      this.scheduleReconnect();
    };
    sock.onerror = () => {}; // a close event follows
  }

  /** Forgets the current socket (closing it) without reconnecting. @param {number} [code] */
  drop(code = 1006) {
    const sock = this.ws;
    this.ws = null;
    this.isOpen = false;
    this.t.clearInterval(this.pingTimer);
    this.pingTimer = 0;
    if (sock) {
      sock.onopen = sock.onmessage = sock.onclose = sock.onerror = null;
      try {
        sock.close();
      } catch {
        /* already closed */
      }
    }
    const stable = this.opts.stableMs || 0;
    if (stable && this.openedAt && this.t.now() - this.openedAt > stable) this.attempt = 0;
    this.openedAt = 0;
    this.seq.connectionLost();
    this.hooks.onClose?.(code);
  }

  /** The next back-off delay (and one more failed attempt counted). */
  nextDelay() {
    const delay = backoffDelay(this.attempt, {
      base: this.opts.backoffBase || 500,
      cap: this.opts.backoffCap || 15000,
      random: this.t.random,
    });
    this.attempt = Math.min(this.attempt + 1, this.opts.maxAttempt || 16);
    return delay;
  }

  scheduleReconnect() {
    if (this.retryTimer || this.ws || this.held || this.stopped) return;
    this.retryTimer = this.t.setTimeout(() => {
      this.retryTimer = 0;
      this.connect();
    }, this.nextDelay());
  }

  /** The network is back or the page visible again: don't wait out the back-off. */
  reconnectNow() {
    if (!this.wanted || this.ws || this.held || this.stopped) return;
    this.t.clearTimeout(this.retryTimer);
    this.retryTimer = 0;
    this.attempt = 0;
    this.connect();
  }

  /** Stop for good (sign-out, or the server keeps refusing us). */
  stop() {
    this.stopped = true;
    this.t.clearTimeout(this.retryTimer);
    this.retryTimer = 0;
    if (this.ws) this.ws.close(); // its close event tells the hooks
  }

  ping() {
    if (!this.ws) return;
    const dead = this.opts.deadMs || 0;
    if (dead && this.t.now() - this.lastFrameAt > dead) {
      // No frame (not even a pong) for two rounds: the connection is dead though nobody said so.
      this.drop();
      this.scheduleReconnect();
      return;
    }
    this.send({ type: "ping" });
  }

  /** @param {object} frame @returns {boolean} whether it went out on an open socket */
  send(frame) {
    if (!this.open || !this.ws) return false;
    try {
      this.ws.send(JSON.stringify(frame));
      return true;
    } catch {
      return false;
    }
  }

  // ------------------------------------------------------------ chats
  /** Follow a chat from `after_seq` 0 (or where we were) and fetch what is missing. @param {string} id */
  track(id) {
    this.seq.get(id);
    this.resume(id);
  }

  /** @param {string} id */
  forget(id) {
    this.seq.forget(id);
  }

  /** @param {string} id */
  resume(id) {
    if (!this.open || this.seq.isResuming(id)) return;
    const after = this.seq.startResume(id);
    if (after !== null) this.send({ type: "resume", chat_id: id, after_seq: after });
  }

  /** Our message got this seq: move on, or if past a gap check soon that the gap filled.
   * @param {string} id @param {number} seq */
  acked(id, seq) {
    if (this.seq.ack(id, seq) !== "ahead") return;
    this.t.setTimeout(() => {
      if (this.seq.has(id) && this.seq.behind(id)) this.resume(id);
    }, this.opts.ackCheckMs ?? 1500);
  }

  /** Re-sends the outbox's unacked frames not yet sent on this connection.
   * @param {(entry: any) => object | null} [build] default: the entry's `frame` */
  flushOutbox(build = (entry) => entry.frame) {
    if (!this.open) return;
    this.outbox.flush(this.generation, (f) => this.send(f), build);
  }

  /** @param {ServerFrame} frame */
  receive(frame) {
    const loose = /** @type {Frame} */ (/** @type {unknown} */ (frame));
    switch (frame.type) {
      case "message.new": {
        const id = frame.chat_id;
        const m = frame.message;
        if (!m || typeof m.seq !== "number" || !this.seq.has(id)) {
          this.hooks.onMessage?.(loose, "untracked");
          return;
        }
        const verdict = this.seq.message(id, m.seq);
        if (verdict === "gap") this.resume(id); // fetch what is missing, in order
        this.hooks.onMessage?.(loose, verdict);
        return;
      }
      case "resume.done": {
        const id = frame.chat_id;
        if (this.seq.has(id)) {
          if (this.seq.resumeDone(id, !!frame.more, frame.last_seq)) {
            this.resume(id); // a long chat arrives in pages
          } else if (this.hooks.onResumeDone?.(loose) !== false) {
            if (this.seq.settle(id)) this.resume(id); // something arrived out of order meanwhile
            else this.hooks.onCaughtUp?.(id);
          }
        }
        break;
      }
      case "resync":
        // The server may have lost live deliveries (its broker was away): catch up by seq.
        for (const chat of this.seq.ids()) this.resume(chat);
        break;
      default:
        break;
    }
    this.hooks.onFrame?.(loose);
  }
}
