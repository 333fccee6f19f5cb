// The header's "usually replies" buckets (src/replytime.js): pure, so tested here.
import assert from "node:assert/strict";
import { test } from "node:test";
import { replyTimeKey } from "../src/replytime.js";

test("a typical reply time falls in its bucket", () => {
  assert.equal(replyTimeKey(0), "reply_under_minute");
  assert.equal(replyTimeKey(59), "reply_under_minute");
  assert.equal(replyTimeKey(60), "reply_few_minutes");
  assert.equal(replyTimeKey(600), "reply_few_minutes");
  assert.equal(replyTimeKey(601), "reply_within_hour");
  assert.equal(replyTimeKey(3600), "reply_within_hour");
  assert.equal(replyTimeKey(3601), "reply_few_hours");
  assert.equal(replyTimeKey(86400), "reply_few_hours");
});

test("no figure, a broken one, or over a day says nothing", () => {
  for (const value of [null, undefined, "120", -1, NaN, Infinity, 86401]) {
    assert.equal(replyTimeKey(value), null, String(value));
  }
});
