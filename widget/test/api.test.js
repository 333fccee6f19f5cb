// The widget's pure logic: the queue a page fills before the script loads, track()'s frames,
// setUser()'s user, on() listeners, deep links and what counts as another page.
import assert from "node:assert/strict";
import { test } from "node:test";
import { cleanUser, createBus, eventFrame, invoke, replay } from "../src/api.js";
import { deepLink, pageKey } from "../src/deeplink.js";

const quiet = (fn) => {
  const warn = console.warn;
  const warnings = [];
  console.warn = (...a) => warnings.push(a.join(" "));
  try {
    fn();
  } finally {
    console.warn = warn;
  }
  return warnings;
};

test("queued calls run in order; a bad or failing one is skipped with a warning", () => {
  const calls = [];
  const api = {
    open: (...a) => calls.push(["open", ...a]),
    track: (...a) => calls.push(["track", ...a]),
    boom: () => {
      throw new Error("no");
    },
    push: () => calls.push(["push"]),
  };
  const warnings = quiet(() =>
    replay(api, [["track", "a", { value: 1 }], ["nope"], "open", ["boom"], ["push", 1], ["open", { department: "x" }], ["track", "b"]]),
  );
  assert.deepEqual(calls, [["track", "a", { value: 1 }], ["open", { department: "x" }], ["track", "b"]]);
  assert.equal(warnings.length, 4);
  quiet(() => invoke(api, ["open"]));
  assert.deepEqual(calls.at(-1), ["open"]);
  replay(api, undefined); // no queue: nothing to do
});

test("on(): listeners hear events in order, cannot break each other, ready reaches late ones", () => {
  const bus = createBus();
  const heard = [];
  const a = (d) => heard.push(["a", d]);
  quiet(() => {
    bus.on("open", a);
    bus.on("open", () => {
      throw new Error("shop bug");
    });
    bus.on("open", (d) => heard.push(["c", d]));
    bus.on("nonsense", a); // warned, ignored
    bus.emit("open", 1);
  });
  assert.deepEqual(heard, [["a", 1], ["c", 1]]);
  bus.off("open", a);
  quiet(() => bus.emit("open", 2));
  assert.deepEqual(heard.at(-1), ["c", 2]);
  assert.equal(heard.length, 3);

  bus.emit("ready", { visitor_id: "v1" }, true);
  bus.on("ready", (d) => heard.push(["late", d]));
  assert.deepEqual(heard.at(-1), ["late", { visitor_id: "v1" }]);
});

test("track(): a visitor.event the server accepts, or nothing", () => {
  assert.deepEqual(eventFrame("cart.updated", { value: 129.5 }), { type: "visitor.event", name: "cart.updated", data: { value: 129.5 } });
  assert.deepEqual(eventFrame(" trial_started "), { type: "visitor.event", name: "trial_started", data: {} });
  // Numbers written as text become numbers where Parley reads them; anything else is dropped.
  assert.deepEqual(eventFrame("order.completed", { order_id: "A-1", value: "49.90" }).data, { order_id: "A-1", value: 49.9 });
  quiet(() => {
    assert.deepEqual(eventFrame("cart.updated", { value: "lots" }).data, {});
    assert.equal(eventFrame("", {}), null);
    assert.equal(eventFrame("x".repeat(65), {}), null);
    assert.equal(eventFrame(42, {}), null);
    const frame = eventFrame("x", { nested: { a: 1 }, list: [1], fn: () => 1, ok: true, none: null, inf: Infinity, long: "y".repeat(600) });
    assert.deepEqual(Object.keys(frame.data), ["ok", "none", "long"]);
    assert.equal(frame.data.long.length, 500);
  });
  const wide = Object.fromEntries(Array.from({ length: 30 }, (_, i) => ["k" + i, i]));
  assert.equal(Object.keys(eventFrame("wide", wide).data).length, 20);
  assert.deepEqual(eventFrame("arr", [1, 2]).data, {});
});

test("setUser(): id required (numbers welcome), strings only, null forgets", () => {
  assert.deepEqual(cleanUser({ id: 42, email: "a@b.c", name: "Ann", hash: "ff", extra: 1 }), { id: "42", email: "a@b.c", name: "Ann", hash: "ff" });
  assert.equal(cleanUser(null), null);
  quiet(() => assert.equal(cleanUser({ email: "a@b.c" }), null));
});

test("deep links: ?parley=open, #parley, and a department only with them", () => {
  assert.deepEqual(deepLink("https://shop.example/p?parley=open"), { open: true, department: null });
  assert.deepEqual(deepLink("https://shop.example/p?parley=OPEN&department=billing"), { open: true, department: "billing" });
  assert.deepEqual(deepLink("https://shop.example/p#parley"), { open: true, department: null });
  assert.deepEqual(deepLink("https://shop.example/p?department=billing"), { open: false, department: null });
  assert.deepEqual(deepLink("https://shop.example/p#parley-news"), { open: false, department: null });
  assert.deepEqual(deepLink("not a url"), { open: false, department: null });
});

test("page views: an anchor is the same page, a hash route is another", () => {
  assert.equal(pageKey("https://s.example/a#reviews"), "https://s.example/a");
  assert.equal(pageKey("https://s.example/#/cart"), "https://s.example/#/cart");
  assert.equal(pageKey("https://s.example/#!/cart"), "https://s.example/#!/cart");
  assert.equal(pageKey("https://s.example/a?x=1"), "https://s.example/a?x=1");
});
