import assert from "node:assert/strict";
import { test } from "node:test";
import { Outbox } from "../src/outbox.js";

const entry = (cid) => ({ cid, acked: false, failed: false, sentOn: 0, frame: { type: "message.send", client_msg_id: cid } });

test("flush sends each unacked entry once per connection, acked and failed ones never", () => {
  const box = new Outbox();
  box.add(entry("a"));
  box.add(entry("b"));
  box.add(entry("c"));
  box.ack("b");
  box.fail("c");
  const sent = [];
  const send = (f) => (sent.push(f.client_msg_id), true);
  box.flush(1, send, (e) => e.frame);
  box.flush(1, send, (e) => e.frame);
  assert.deepEqual(sent, ["a"]);
  box.flush(2, send, (e) => e.frame);
  assert.deepEqual(sent, ["a", "a"], "a new connection sends it again, same id");
});

test("an entry that could not go out, or has no frame yet, waits", () => {
  const box = new Outbox();
  box.add(entry("a"));
  box.flush(1, () => false, (e) => e.frame);
  assert.equal(box.get("a").sentOn, 0);
  box.flush(1, () => true, () => null);
  assert.equal(box.get("a").sentOn, 0);
  box.flush(1, () => true, (e) => e.frame);
  assert.equal(box.get("a").sentOn, 1);
  assert.equal(box.delete("a"), true);
  assert.equal(box.size, 0);
});
