// @ts-check
/** The panel's texts: the catalogue of the visitor's language (widget/i18n/<lang>.json, fetched
 * beside the panel's code and handed over by the loader), and dates in that language. */
import { S } from "./core.js";
import { browserLanguages, fill, localeFor } from "./text.js";

/** @type {Record<string, string>} */
let texts = {};

/** @param {Record<string, string> | null | undefined} panel the catalogue's `panel` part */
export function setTexts(panel) {
  texts = panel || {};
}

/** A panel text in the visitor's language. @param {string} key @param {Record<string, unknown>} [params] */
export function t(key, params) {
  return fill(texts[key] || key, params);
}

/** The locale dates and numbers are written in (the browser's variant of the widget's language). */
export function locale() {
  return localeFor(S.lang, browserLanguages());
}

/** @type {Map<string, Intl.DateTimeFormat>} */
const formats = new Map();

/** A date format in the widget's locale, made once per options (every message shows a time).
 * @param {Intl.DateTimeFormatOptions} options */
export function dateFormat(options) {
  const key = locale() + JSON.stringify(options);
  let format = formats.get(key);
  if (!format) {
    try {
      format = new Intl.DateTimeFormat(locale(), options);
    } catch {
      format = new Intl.DateTimeFormat(undefined, options);
    }
    formats.set(key, format);
  }
  return format;
}

/** @type {Intl.RelativeTimeFormat | null | undefined} */
let relative;

/** "now", "3 min. ago" in the widget's locale (null where the browser has no RelativeTimeFormat). */
export function relativeFormat() {
  if (relative === undefined) {
    try {
      relative = new Intl.RelativeTimeFormat(locale(), { numeric: "auto", style: "short" });
    } catch {
      relative = null;
    }
  }
  return relative;
}

/** @param {number} n */
export function number(n) {
  try {
    return new Intl.NumberFormat(locale()).format(n);
  } catch {
    return String(n);
  }
}
