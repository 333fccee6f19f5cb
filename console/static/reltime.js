// Times as people say them, in the console's language: "2 minutes ago", "for 5 min", or the
// date for anything older than a day. Intl does the wording, so every catalogue language (and
// its plural rules) comes for free; <time> elements made here are refreshed by `refreshTimes`.
import { el } from "./parley-client.js";
import { language } from "./i18n.js";

const UNITS = [
  ["day", 86400],
  ["hour", 3600],
  ["minute", 60],
];

/** "3 minutes ago" / "now" for `iso`, in the console's language. */
export function relative(iso, now = Date.now()) {
  const seconds = Math.round((Date.parse(iso) - now) / 1000);
  const rtf = new Intl.RelativeTimeFormat(language(), { numeric: "auto" });
  if (Math.abs(seconds) < 45) return rtf.format(0, "second");
  for (const [unit, size] of UNITS) {
    if (Math.abs(seconds) >= size || unit === "minute") return rtf.format(Math.round(seconds / size), /** @type {Intl.RelativeTimeFormatUnit} */ (unit));
  }
  return "";
}

/** The full local date and time of `iso`, for a tooltip. */
export function absolute(iso) {
  return new Date(iso).toLocaleString(language(), { dateStyle: "medium", timeStyle: "short" });
}

/** A short duration since `iso` ("5 min", "1 hr"), for waiting times. */
export function since(iso, now = Date.now()) {
  const s = Math.max(0, (now - Date.parse(iso)) / 1000);
  const [value, unit] = s < 60 ? [Math.round(s), "second"] : s < 3600 ? [Math.floor(s / 60), "minute"] : [Math.floor(s / 3600), "hour"];
  return new Intl.NumberFormat(language(), { style: "unit", unit, unitDisplay: "short" }).format(value);
}

/** A <time> showing `iso` relative (within a day) or as a date, with the exact time as title. */
export function timeEl(iso, attrs = {}) {
  return el("time", { datetime: iso, title: absolute(iso), "data-relative": "1", ...attrs }, label(iso));
}

function label(iso) {
  return Date.now() - Date.parse(iso) < 86400000 ? relative(iso) : absolute(iso);
}

/** Brings every relative <time> under `root` up to date (called on a timer). */
export function refreshTimes(root = document) {
  for (const node of root.querySelectorAll("time[data-relative]")) node.textContent = label(node.getAttribute("datetime"));
}
