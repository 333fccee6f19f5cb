import assert from "node:assert/strict";
import { test } from "node:test";
import { ParleySocket } from "../src/socket.js";
import { FakeClock, FakeSocket } from "./fakes.js";

function setup(opts = {}) {
  const clock = new FakeClock();
  const sockets = [];
  const seen = { frames: [], messages: [], opens: 0, closes: [], caughtUp: [] };
  const socket = new ParleySocket({
    url: () => "ws://test/ws/agent",
    token: () => "tok",
    createSocket: (url, protocols) => {
      const s = new FakeSocket(url, protocols);
      sockets.push(s);
      return s;
    },
    timers: clock.api,
    ...opts,
    hooks: {
      onOpen: () => seen.opens++,
      onClose: (code) => seen.closes.push(code),
      onFrame: (f) => seen.frames.push(f),
      onMessage: (f, verdict) => seen.messages.push([f.message.seq, verdict]),
      onCaughtUp: (id) => seen.caughtUp.push(id),
      ...(opts.hooks || {}),
    },
  });
  const last = () => sockets[sockets.length - 1];
  return { clock, sockets, seen, socket, last };
}

const msg = (chat, seq, extra = {}) => ({ type: "message.new", chat_id: chat, message: { seq, body: "m" + seq, ...extra } });

test("the token travels as a subprotocol, never in the URL", () => {
  const { socket, last } = setup();
  socket.connect();
  assert.equal(last().url, "ws://test/ws/agent");
  assert.deepEqual(last().protocols, ["parley", "parley.auth.tok"]);
});

test("a gap asks for a resume from the last seq, shown in order when it arrives", () => {
  const { socket, last, seen } = setup();
  socket.connect();
  last().accept();
  socket.track("c");
  assert.deepEqual(last().ofType("resume"), [{ type: "resume", chat_id: "c", after_seq: 0 }]);
  last().deliver(msg("c", 1));
  last().deliver({ type: "resume.done", chat_id: "c", last_seq: 1 });
  assert.deepEqual(seen.caughtUp, ["c"]);
  last().deliver(msg("c", 4)); // 2 and 3 went missing
  assert.deepEqual(last().ofType("resume").at(-1), { type: "resume", chat_id: "c", after_seq: 1 });
  last().deliver(msg("c", 5)); // still resuming: no second resume
  assert.equal(last().ofType("resume").length, 2);
  for (const n of [2, 3, 4, 5]) last().deliver(msg("c", n));
  last().deliver({ type: "resume.done", chat_id: "c", last_seq: 5 });
  assert.deepEqual(
    seen.messages.map(([s, v]) => `${s}:${v}`),
    ["1:next", "4:gap", "5:gap", "2:next", "3:next", "4:next", "5:next"],
  );
  assert.equal(last().ofType("resume").length, 2);
});

test("resume.done with more asks for the next page at once", () => {
  const { socket, last, seen } = setup();
  socket.connect();
  last().accept();
  socket.track("c");
  for (const n of [1, 2]) last().deliver(msg("c", n));
  last().deliver({ type: "resume.done", chat_id: "c", more: true, last_seq: 2 });
  assert.deepEqual(last().ofType("resume").at(-1), { type: "resume", chat_id: "c", after_seq: 2 });
  assert.deepEqual(seen.caughtUp, []);
  last().deliver(msg("c", 3));
  last().deliver({ type: "resume.done", chat_id: "c", more: false, last_seq: 3 });
  assert.deepEqual(seen.caughtUp, ["c"]);
});

test("a resume that brought part of a gap asks again; one that brought nothing stops", () => {
  const { socket, last, seen } = setup();
  socket.connect();
  last().accept();
  socket.track("c");
  last().deliver(msg("c", 1));
  last().deliver(msg("c", 4)); // live, past a gap, while resuming
  last().deliver({ type: "resume.done", chat_id: "c", last_seq: 1 });
  assert.deepEqual(last().ofType("resume").at(-1), { type: "resume", chat_id: "c", after_seq: 1 });
  last().deliver({ type: "resume.done", chat_id: "c", last_seq: 1 }); // nothing more to be had
  assert.equal(last().ofType("resume").length, 2);
  assert.deepEqual(seen.caughtUp, ["c"]);
});

test("onResumeDone returning false stops before settling", () => {
  const { socket, last, seen } = setup({ hooks: { onResumeDone: () => false } });
  socket.connect();
  last().accept();
  socket.track("c");
  last().deliver({ type: "resume.done", chat_id: "c", last_seq: 0, status: "closed" });
  assert.deepEqual(seen.caughtUp, []);
});

test("resync resumes every tracked chat from where it is", () => {
  const { socket, last, seen } = setup();
  socket.connect();
  last().accept();
  socket.track("a");
  socket.track("b");
  last().deliver(msg("a", 1));
  last().deliver({ type: "resume.done", chat_id: "a", last_seq: 1 });
  last().deliver({ type: "resume.done", chat_id: "b", last_seq: 0 });
  last().deliver({ type: "resync" });
  assert.deepEqual(last().ofType("resume").slice(-2), [
    { type: "resume", chat_id: "a", after_seq: 1 },
    { type: "resume", chat_id: "b", after_seq: 0 },
  ]);
  assert.equal(seen.frames.at(-1).type, "resync");
});

test("an untracked chat's message is passed on, not tracked", () => {
  const { socket, last, seen } = setup();
  socket.connect();
  last().accept();
  last().deliver(msg("x", 7));
  assert.deepEqual(seen.messages, [[7, "untracked"]]);
  assert.equal(socket.seq.has("x"), false);
  assert.equal(last().ofType("resume").length, 0);
});

test("unacked messages are sent again after a reconnect with the same client_msg_id", () => {
  const { socket, last, clock } = setup();
  socket.connect();
  last().accept();
  const frame = { type: "message.send", chat_id: "c", client_msg_id: "m-1", body: "hi" };
  socket.outbox.add({ cid: "m-1", frame, acked: false, failed: false, sentOn: 0 });
  socket.outbox.add({ cid: "m-2", frame: { ...frame, client_msg_id: "m-2" }, acked: false, failed: false, sentOn: 0 });
  socket.flushOutbox();
  socket.flushOutbox(); // once per connection
  assert.deepEqual(last().ofType("message.send").map((f) => f.client_msg_id), ["m-1", "m-2"]);
  socket.outbox.ack("m-2");
  const first = last();
  first.hangUp(1006);
  clock.advance(15000);
  assert.notEqual(last(), first);
  last().accept();
  socket.flushOutbox();
  assert.deepEqual(last().ofType("message.send"), [frame]);
});

test("reconnects back off exponentially with jitter; an open resets the back-off", () => {
  const { socket, last, clock, sockets, seen } = setup();
  socket.connect();
  clock.randomValue = 1;
  last().hangUp();
  assert.deepEqual(clock.pending(), [500]);
  clock.advance(500);
  last().hangUp();
  assert.deepEqual(clock.pending(), [1000]);
  clock.advance(1000);
  last().hangUp();
  assert.deepEqual(clock.pending(), [2000]);
  clock.randomValue = 0.5;
  clock.advance(2000);
  assert.equal(sockets.length, 4);
  last().accept();
  last().hangUp();
  assert.deepEqual(clock.pending(), [250], "after an open: from the start, half of 500");
  assert.deepEqual(seen.closes, [1006, 1006, 1006, 1006]);
});

test("with stableMs only a connection that stayed open resets the back-off", () => {
  const { socket, last, clock } = setup({ stableMs: 10000 });
  socket.connect();
  last().hangUp();
  clock.advance(500);
  last().accept();
  last().hangUp(); // accepted then dropped at once: keep backing off
  assert.deepEqual(clock.pending(), [1000]);
  clock.advance(1000);
  last().accept();
  clock.advance(20000);
  last().hangUp();
  assert.deepEqual(clock.pending(), [500]);
});

test("4401 stops without a hook, and hands over to onUnauthorized with one", () => {
  const plain = setup();
  plain.socket.connect();
  plain.last().hangUp(4401);
  plain.clock.advance(60000);
  assert.equal(plain.sockets.length, 1);
  assert.deepEqual(plain.seen.closes, [4401]);

  const calls = [];
  const hooked = setup({ hooks: { onUnauthorized: (code) => calls.push(code) } });
  hooked.socket.connect();
  hooked.last().hangUp(4401);
  hooked.socket.ensure(); // held: the hook decides
  hooked.clock.advance(60000);
  assert.deepEqual(calls, [4401]);
  assert.equal(hooked.sockets.length, 1);
  hooked.socket.connect();
  assert.equal(hooked.sockets.length, 2);
});

test("pings keep the socket alive; silence for deadMs drops and reconnects", () => {
  const { socket, last, clock, sockets } = setup({ pingMs: 25000, deadMs: 60000 });
  socket.connect();
  last().accept();
  clock.advance(25000);
  assert.equal(last().ofType("ping").length, 1);
  last().deliver({ type: "pong" });
  clock.advance(50000);
  assert.equal(last().ofType("ping").length, 3);
  assert.equal(sockets.length, 1);
  clock.advance(25000); // 75 s without a frame
  assert.equal(sockets[0].readyState, 3);
  clock.advance(1000);
  assert.equal(sockets.length, 2);
});

test("a connection attempt that hangs is given up after connectTimeoutMs", () => {
  const { socket, clock, sockets } = setup({ connectTimeoutMs: 15000 });
  socket.connect();
  clock.advance(15000);
  assert.equal(sockets[0].readyState, 3);
  clock.advance(500);
  assert.equal(sockets.length, 2);
});

test("an ack past a gap resumes if the gap has not filled soon", () => {
  const { socket, last, clock } = setup();
  socket.connect();
  last().accept();
  socket.track("c");
  last().deliver({ type: "resume.done", chat_id: "c", last_seq: 0 });
  socket.acked("c", 1);
  socket.acked("c", 3);
  clock.advance(1500);
  assert.deepEqual(last().ofType("resume").at(-1), { type: "resume", chat_id: "c", after_seq: 1 });
  last().deliver({ type: "resume.done", chat_id: "c", last_seq: 1 });
  socket.acked("c", 5);
  last().deliver(msg("c", 2));
  last().deliver(msg("c", 4));
  clock.advance(1500);
  assert.equal(socket.seq.last("c"), 5);
  assert.equal(last().ofType("resume").length, 2, "the gap filled: no resume");
});

test("stop closes for good", () => {
  const { socket, last, clock, sockets, seen } = setup();
  socket.connect();
  last().accept();
  socket.stop();
  last().hangUp(1005);
  clock.advance(60000);
  assert.equal(sockets.length, 1);
  assert.deepEqual(seen.closes, [1005]);
});
