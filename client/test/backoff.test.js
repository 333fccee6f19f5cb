import assert from "node:assert/strict";
import { test } from "node:test";
import { backoffDelay } from "../src/backoff.js";

test("the ceiling doubles up to the cap; the delay is a random part of it", () => {
  const top = (attempt) => backoffDelay(attempt, { random: () => 1 });
  assert.deepEqual([0, 1, 2, 3, 4, 5, 6].map(top), [500, 1000, 2000, 4000, 8000, 15000, 15000]);
  assert.equal(backoffDelay(3, { random: () => 0.25 }), 1000);
  assert.equal(backoffDelay(40, { random: () => 0 }), 0);
});
