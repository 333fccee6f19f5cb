// Parley's shared protocol client (client/src), built by scripts/build-js.mjs; do not edit.

// client/src/backoff.js
function backoffDelay(attempt, { base = 500, cap = 15e3, random = Math.random } = {}) {
  return random() * Math.min(cap, base * 2 ** attempt);
}

// client/src/dom.js
function h(tag, attrs, ...kids) {
  const node = document.createElement(tag);
  if (attrs) {
    for (const k of Object.keys(attrs)) {
      const v = attrs[k];
      if (v === void 0 || v === null || v === false) continue;
      if (k === "class") node.className = v;
      else if (k === "text") node.textContent = v;
      else if (k === "dataset") Object.assign(node.dataset, v);
      else if (k.startsWith("on") && typeof v === "function") node.addEventListener(k.slice(2), v);
      else node.setAttribute(k, v === true ? "" : String(v));
    }
  }
  for (const c of kids.flat(Infinity)) {
    if (c === null || c === void 0 || c === false) continue;
    node.append(typeof c === "object" ? (
      /** @type {Node} */
      c
    ) : document.createTextNode(String(c)));
  }
  return node;
}
var el = h;

// client/src/outbox.js
var Outbox = class {
  constructor() {
    this.items = /* @__PURE__ */ new Map();
  }
  /** @param {T} entry @returns {T} */
  add(entry) {
    this.items.set(entry.cid, entry);
    return entry;
  }
  /** @param {string | undefined | null} cid @returns {T | undefined} */
  get(cid) {
    return cid ? this.items.get(cid) : void 0;
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
};

// client/src/seq.js
var SeqTracker = class {
  constructor() {
    this.chats = /* @__PURE__ */ new Map();
  }
  /** The chat's state, created on first use. @param {string} id @returns {ChatSeq} */
  get(id) {
    let s = this.chats.get(id);
    if (!s) {
      s = { last: 0, from: 0, ahead: /* @__PURE__ */ new Set(), max: 0, resuming: false, initial: true };
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
};
function advance(s, seq) {
  s.last = seq;
  s.ahead.delete(seq);
  while (s.ahead.delete(s.last + 1)) s.last++;
}

// client/src/socket.js
var OPEN = 1;
var REAL_TIMERS = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (id) => clearTimeout(id),
  setInterval: (fn, ms) => setInterval(fn, ms),
  clearInterval: (id) => clearInterval(id),
  now: () => Date.now(),
  random: () => Math.random()
};
function subprotocols(token) {
  return ["parley", "parley.auth." + (token || "none")];
}
var ParleySocket = class {
  /** @param {Options} opts */
  constructor(opts) {
    this.opts = opts;
    this.hooks = opts.hooks || {};
    this.t = { ...REAL_TIMERS, ...opts.timers || {} };
    this.createSocket = opts.createSocket || ((url, protocols) => (
      /** @type {SocketLike} */
      new WebSocket(url, protocols)
    ));
    this.seq = new SeqTracker();
    this.outbox = new Outbox();
    this.ws = null;
    this.isOpen = false;
    this.everOpen = false;
    this.generation = 0;
    this.attempt = 0;
    this.retryTimer = /** @type {any} */
    0;
    this.held = false;
    this.pingTimer = /** @type {any} */
    0;
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
    const stuck = limit ? this.t.setTimeout(() => {
      if (this.ws === sock && !this.isOpen) {
        this.drop();
        this.scheduleReconnect();
      }
    }, limit) : 0;
    sock.onopen = () => {
      this.t.clearTimeout(stuck);
      if (this.ws !== sock) return;
      this.isOpen = true;
      this.everOpen = true;
      this.openedAt = this.lastFrameAt = this.t.now();
      if (!this.opts.stableMs) this.attempt = 0;
      this.t.clearInterval(this.pingTimer);
      this.pingTimer = this.t.setInterval(() => this.ping(), this.opts.pingMs || 25e3);
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
    sock.onerror = () => {
    };
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
      cap: this.opts.backoffCap || 15e3,
      random: this.t.random
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
    if (this.ws) this.ws.close();
  }
  ping() {
    if (!this.ws) return;
    const dead = this.opts.deadMs || 0;
    if (dead && this.t.now() - this.lastFrameAt > dead) {
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
    const loose = (
      /** @type {Frame} */
      /** @type {unknown} */
      frame
    );
    switch (frame.type) {
      case "message.new": {
        const id = frame.chat_id;
        const m = frame.message;
        if (!m || typeof m.seq !== "number" || !this.seq.has(id)) {
          this.hooks.onMessage?.(loose, "untracked");
          return;
        }
        const verdict = this.seq.message(id, m.seq);
        if (verdict === "gap") this.resume(id);
        this.hooks.onMessage?.(loose, verdict);
        return;
      }
      case "resume.done": {
        const id = frame.chat_id;
        if (this.seq.has(id)) {
          if (this.seq.resumeDone(id, !!frame.more, frame.last_seq)) {
            this.resume(id);
          } else if (this.hooks.onResumeDone?.(loose) !== false) {
            if (this.seq.settle(id)) this.resume(id);
            else this.hooks.onCaughtUp?.(id);
          }
        }
        break;
      }
      case "resync":
        for (const chat of this.seq.ids()) this.resume(chat);
        break;
      default:
        break;
    }
    this.hooks.onFrame?.(loose);
  }
};

// client/src/uuid.js
function uuid() {
  const c = globalThis.crypto;
  if (c && typeof c.randomUUID === "function") {
    try {
      return c.randomUUID();
    } catch {
    }
  }
  const b = new Uint8Array(16);
  if (c && c.getRandomValues) c.getRandomValues(b);
  else for (let i = 0; i < 16; i++) b[i] = Math.random() * 256 | 0;
  b[6] = b[6] & 15 | 64;
  b[8] = b[8] & 63 | 128;
  const x = Array.from(b, (n) => (n + 256).toString(16).slice(1)).join("");
  return x.slice(0, 8) + "-" + x.slice(8, 12) + "-" + x.slice(12, 16) + "-" + x.slice(16, 20) + "-" + x.slice(20);
}
export {
  Outbox,
  ParleySocket,
  SeqTracker,
  backoffDelay,
  el,
  h,
  subprotocols,
  uuid
};
