import assert from "node:assert/strict";
import { test } from "node:test";
import { SeqTracker } from "../src/seq.js";

test("messages in order are shown, repeats are old, a jump is a gap", () => {
  const seq = new SeqTracker();
  assert.equal(seq.message("c", 1), "next");
  assert.equal(seq.message("c", 2), "next");
  assert.equal(seq.message("c", 2), "old");
  assert.equal(seq.message("c", 1), "old");
  assert.equal(seq.message("c", 5), "gap");
  assert.equal(seq.last("c"), 2);
  assert.equal(seq.behind("c"), true);
  assert.equal(seq.message("c", 3), "next");
});

test("chats are tracked apart", () => {
  const seq = new SeqTracker();
  seq.message("a", 1);
  assert.equal(seq.message("b", 1), "next");
  assert.equal(seq.message("a", 2), "next");
  seq.forget("a");
  assert.equal(seq.has("a"), false);
  assert.equal(seq.message("a", 1), "next");
});

test("a resume asks from the last seq shown, once at a time", () => {
  const seq = new SeqTracker();
  seq.message("c", 1);
  assert.equal(seq.startResume("c"), 1);
  assert.equal(seq.startResume("c"), null);
  assert.equal(seq.isResuming("c"), true);
  seq.connectionLost();
  assert.equal(seq.isResuming("c"), false);
  assert.equal(seq.startResume("c"), 1);
});

test("resume.done with more pages on; the last page ends the initial history", () => {
  const seq = new SeqTracker();
  seq.startResume("c");
  seq.message("c", 1);
  assert.equal(seq.resumeDone("c", true, undefined), true);
  assert.equal(seq.get("c").initial, true);
  seq.startResume("c");
  seq.message("c", 2);
  assert.equal(seq.resumeDone("c", false, 2), false);
  assert.equal(seq.get("c").initial, false);
  assert.equal(seq.settle("c"), false);
});

test("settle resumes again only when the resume made progress and more exists", () => {
  const seq = new SeqTracker();
  seq.startResume("c"); // from 0
  seq.message("c", 1);
  seq.message("c", 3); // a live one past a gap, during the resume
  seq.resumeDone("c", false, 1);
  assert.equal(seq.settle("c"), true, "3 exists, 1 came: ask again");
  seq.startResume("c"); // from 1
  seq.resumeDone("c", false, 1);
  assert.equal(seq.settle("c"), false, "nothing came: never loop on a seq the server won't give");
  assert.equal(seq.behind("c"), false);
});

test("an ack moves on, or notes a seq past a gap until the gap fills", () => {
  const seq = new SeqTracker();
  assert.equal(seq.ack("c", 1), "next");
  assert.equal(seq.ack("c", 3), "ahead");
  assert.equal(seq.last("c"), 1);
  assert.equal(seq.behind("c"), true);
  assert.equal(seq.message("c", 2), "next");
  assert.equal(seq.last("c"), 3, "the acked 3 joins once 2 is there");
  assert.equal(seq.behind("c"), false);
  assert.equal(seq.ack("c", 2), "old");
});
