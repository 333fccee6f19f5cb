// The readable text colour on a shop's theme colour (src/contrast.js): pure, so tested here.
import assert from "node:assert/strict";
import { test } from "node:test";
import { contrast, inkOnWhite, luminance, parseRgb, textOn } from "../src/contrast.js";

test("colours are read from hex and from computed rgb()", () => {
  assert.deepEqual(parseRgb("#ffeb3b"), [255, 235, 59]);
  assert.deepEqual(parseRgb("#222"), [34, 34, 34]);
  assert.deepEqual(parseRgb("rgb(10, 132, 255)"), [10, 132, 255]);
  assert.deepEqual(parseRgb("rgba(1, 2, 3, 0.5)"), [1, 2, 3]);
  assert.equal(parseRgb("tomato"), null);
});

test("WCAG luminance and contrast", () => {
  assert.equal(luminance([0, 0, 0]), 0);
  assert.equal(luminance([255, 255, 255]), 1);
  assert.equal(contrast([0, 0, 0], [255, 255, 255]), 21);
  assert.equal(contrast([255, 255, 255], [0, 0, 0]), 21);
  assert.ok(Math.abs(contrast([118, 118, 118], [255, 255, 255]) - 4.54) < 0.01);
});

test("black or white text, whichever reads better, for any theme colour", () => {
  const cases = { "#ffeb3b": "#000000", "#0a84ff": "#000000", "#222": "#ffffff", "#ff5a5f": "#000000",
    "#0f766e": "#ffffff", "#1d4ed8": "#ffffff", "#ffffff": "#000000", "#000000": "#ffffff" };
  for (const [colour, want] of Object.entries(cases)) {
    const rgb = parseRgb(colour);
    assert.equal(textOn(rgb), want, colour);
    const other = want === "#000000" ? [0, 0, 0] : [255, 255, 255];
    // The pick always reaches AA for large text, and normal text in every case but the few
    // mid-tones where neither black nor white can (none of these).
    assert.ok(contrast(rgb, other) >= 4.5, `${colour}: ${contrast(rgb, other)}`);
  }
});

test("text in the theme colour on white falls back to ink when too light", () => {
  assert.equal(inkOnWhite(parseRgb("#0f766e"), "#0f766e"), "#0f766e");
  assert.equal(inkOnWhite(parseRgb("#ffeb3b"), "#ffeb3b"), "#0f172a");
  assert.equal(inkOnWhite(parseRgb("#ff5a5f"), "#ff5a5f"), "#0f172a");
});
