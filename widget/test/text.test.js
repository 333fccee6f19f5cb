// The widget's language choice and placeholder filling (src/text.js): pure, so tested here.
import assert from "node:assert/strict";
import { test } from "node:test";
import { fill, localeFor, pickLanguage, timeAgo } from "../src/text.js";

test("the site's language unless the site follows the browser", () => {
  assert.equal(pickLanguage({ language: "sv", language_from_browser: false }, ["de-DE", "da"]), "sv");
  assert.equal(pickLanguage({ language: "sv", language_from_browser: true }, ["de-DE", "da"]), "de");
  assert.equal(pickLanguage({ language: "da", language_from_browser: true }, ["DA-dk"]), "da");
});

test("the browser's first language Parley speaks; else the site's", () => {
  assert.equal(pickLanguage({ language: "nl", language_from_browser: true }, ["fr-FR", "nb", "en-GB"]), "en");
  assert.equal(pickLanguage({ language: "nl", language_from_browser: true }, ["fr-FR", "es"]), "nl");
  assert.equal(pickLanguage({ language: "nl", language_from_browser: true }, []), "nl");
});

test("an unknown or missing site language is English", () => {
  assert.equal(pickLanguage({ language: "fr" }, ["da"]), "en");
  assert.equal(pickLanguage(null, ["da"]), "en");
});

test("dates use the browser's variant of the widget's language", () => {
  assert.equal(localeFor("en", ["da-DK", "en-US"]), "en-US");
  assert.equal(localeFor("da", ["de-DE"]), "da");
});

test("placeholders are filled; unknown ones are left as they are", () => {
  assert.equal(fill("{name} skriver…", { name: "Alice" }), "Alice skriver…");
  assert.equal(fill("{n} af {max}", { n: 1 }), "1 af {max}");
  assert.equal(fill("Chat med os"), "Chat med os");
});

test("message times: now, minutes ago, the clock today, the date before", () => {
  const now = new Date(2026, 10, 27, 14, 30, 0);
  assert.deepEqual(timeAgo(new Date(2026, 10, 27, 14, 29, 30), now), { kind: "now" });
  assert.deepEqual(timeAgo(new Date(2026, 10, 27, 14, 25, 0), now), { kind: "minutes", n: 5 });
  assert.deepEqual(timeAgo(new Date(2026, 10, 27, 9, 0, 0), now), { kind: "time" });
  assert.deepEqual(timeAgo(new Date(2026, 10, 26, 14, 0, 0), now), { kind: "date" });
  assert.deepEqual(timeAgo(new Date(2026, 10, 27, 14, 31, 0), now), { kind: "now" }); // a clock ahead
});
