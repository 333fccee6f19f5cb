// A fake WebSocket and fake timers: the client's logic under test, with no network and no waiting.

export class FakeSocket {
  constructor(url, protocols) {
    this.url = url;
    this.protocols = protocols;
    this.readyState = 0;
    this.sent = [];
    this.onopen = this.onmessage = this.onclose = this.onerror = null;
  }
  send(data) {
    this.sent.push(JSON.parse(data));
  }
  close() {
    this.readyState = 3;
  }
  // What the server does:
  accept() {
    this.readyState = 1;
    this.onopen?.({});
  }
  deliver(frame) {
    this.onmessage?.({ data: JSON.stringify(frame) });
  }
  hangUp(code = 1006) {
    this.readyState = 3;
    this.onclose?.({ code });
  }
  /** Frames sent of one type. */
  ofType(type) {
    return this.sent.filter((f) => f.type === type);
  }
}

export class FakeClock {
  constructor() {
    this.time = 1_000_000;
    this.nextId = 1;
    this.timers = new Map();
    this.randomValue = 1;
  }
  get api() {
    return {
      setTimeout: (fn, ms) => this.add(fn, ms, 0),
      clearTimeout: (id) => this.timers.delete(id),
      setInterval: (fn, ms) => this.add(fn, ms, ms),
      clearInterval: (id) => this.timers.delete(id),
      now: () => this.time,
      random: () => this.randomValue,
    };
  }
  add(fn, ms, every) {
    const id = this.nextId++;
    this.timers.set(id, { fn, at: this.time + ms, every });
    return id;
  }
  /** Runs every timer due within `ms`, in time order. */
  advance(ms) {
    const end = this.time + ms;
    for (;;) {
      let next = null;
      for (const [id, t] of this.timers) if (t.at <= end && (!next || t.at < next[1].at)) next = [id, t];
      if (!next) break;
      const [id, t] = next;
      this.time = t.at;
      if (t.every) t.at += t.every;
      else this.timers.delete(id);
      t.fn();
    }
    this.time = end;
  }
  /** Delays of pending one-shot timers. */
  pending() {
    return [...this.timers.values()].filter((t) => !t.every).map((t) => t.at - this.time);
  }
}
