// The agent socket: one connection at a time, reconnecting with exponential backoff and full
// jitter (so a restarted server is not hit by every console at the same moment), a ping every
// 25 s, and a watchdog that drops a connection that stopped answering (a laptop that slept).

const BASE_MS = 500;
const CAP_MS = 15000;
const PING_MS = 25000;
const PONG_TIMEOUT_MS = 10000;

export const CLOSE_BAD_TOKEN = 4401;

export class AgentSocket {
  /**
   * @param {() => string} tokenFn the access token to connect with
   * @param {{onFrame: Function, onOpen?: Function, onClose?: Function, onUnauthorized?: Function}} handlers
   */
  constructor(tokenFn, handlers) {
    this.tokenFn = tokenFn;
    this.handlers = handlers;
    this.ws = null;
    this.attempt = 0;
    this.stopped = true;
    this.retryTimer = 0;
    this.pingTimer = 0;
    this.watchdog = 0;
  }

  get isOpen() {
    return !!this.ws && this.ws.readyState === WebSocket.OPEN;
  }

  start() {
    this.stopped = false;
    this.attempt = 0;
    this.connect();
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    this.clearTimers();
    const ws = this.ws;
    this.ws = null;
    if (ws) {
      ws.onopen = ws.onmessage = ws.onclose = ws.onerror = null;
      try {
        ws.close(1000, "logout");
      } catch {
        /* already closed */
      }
    }
  }

  /** The connection is healthy (a `hello` arrived): the next drop starts the backoff afresh. */
  markHealthy() {
    this.attempt = 0;
  }

  connect() {
    if (this.stopped) return;
    clearTimeout(this.retryTimer);
    const proto = location.protocol === "https:" ? "wss:" : "ws:";
    const url = `${proto}//${location.host}/ws/agent?token=${encodeURIComponent(this.tokenFn())}`;
    let ws;
    try {
      ws = new WebSocket(url);
    } catch {
      this.scheduleReconnect();
      return;
    }
    this.ws = ws;
    ws.onopen = () => {
      if (ws !== this.ws) return;
      this.clearTimers();
      this.pingTimer = setInterval(() => this.ping(), PING_MS);
      if (this.handlers.onOpen) this.handlers.onOpen();
    };
    ws.onmessage = (event) => {
      if (ws !== this.ws) return;
      clearTimeout(this.watchdog); // any frame proves the connection is alive
      this.watchdog = 0;
      let frame;
      try {
        frame = JSON.parse(event.data);
      } catch {
        return;
      }
      if (frame && typeof frame === "object" && frame.type !== "pong") this.handlers.onFrame(frame);
    };
    ws.onerror = () => {
      /* onclose follows and decides what to do */
    };
    ws.onclose = (event) => {
      if (ws !== this.ws) return;
      this.ws = null;
      this.clearTimers();
      if (event.code === CLOSE_BAD_TOKEN) {
        this.stopped = true;
        if (this.handlers.onUnauthorized) this.handlers.onUnauthorized();
        return;
      }
      if (this.handlers.onClose) this.handlers.onClose(event.code);
      this.scheduleReconnect();
    };
  }

  scheduleReconnect() {
    if (this.stopped) return;
    // Full jitter: a random delay between 0 and min(cap, base * 2^attempt).
    const ceiling = Math.min(CAP_MS, BASE_MS * 2 ** this.attempt);
    this.attempt = Math.min(this.attempt + 1, 16);
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => this.connect(), Math.random() * ceiling);
  }

  /** Reconnect now (the browser came back online): skips the remaining backoff. */
  reconnectSoon() {
    if (this.stopped || this.ws) return;
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => this.connect(), Math.random() * BASE_MS);
  }

  ping() {
    if (!this.send({ type: "ping" })) return;
    clearTimeout(this.watchdog);
    this.watchdog = setTimeout(() => {
      // No answer to a ping: the connection is dead even if the browser has not noticed.
      const ws = this.ws;
      if (ws) ws.close(4000, "ping timeout");
      if (ws && ws.readyState !== WebSocket.CLOSED) {
        // close() on a dead TCP connection can take minutes to fire onclose: do not wait for it.
        ws.onopen = ws.onmessage = ws.onclose = ws.onerror = null;
        this.ws = null;
        this.clearTimers();
        if (this.handlers.onClose) this.handlers.onClose(4000);
        this.scheduleReconnect();
      }
    }, PONG_TIMEOUT_MS);
  }

  send(frame) {
    if (!this.isOpen) return false;
    try {
      this.ws.send(JSON.stringify(frame));
      return true;
    } catch {
      return false;
    }
  }

  clearTimers() {
    clearInterval(this.pingTimer);
    clearTimeout(this.watchdog);
    this.pingTimer = 0;
    this.watchdog = 0;
  }
}
