// @ts-check
/** What the loader and the panel share about languages: which ones Parley speaks, which one a
 * visitor gets, and filling a catalogue text's {placeholders}. */
export const LANGUAGES = ["en", "da", "sv", "nl", "de"];

/** The widget's language: the browser's first one Parley speaks when the site allows it
 * (`config.language_from_browser`), else the site's (`config.language`).
 * @param {any} config the widget session's config @param {readonly string[]} browser navigator.languages */
export function pickLanguage(config, browser) {
  if (config && config.language_from_browser) {
    for (const tag of browser) {
      const lang = String(tag).split("-")[0].toLowerCase();
      if (LANGUAGES.includes(lang)) return lang;
    }
  }
  const site = config && config.language;
  return LANGUAGES.includes(site) ? site : "en";
}

/** The browser's own tag for `lang` (da-DK, en-US) when it has one, for dates and numbers.
 * @param {string} lang @param {readonly string[]} browser */
export function localeFor(lang, browser) {
  for (const tag of browser) if (String(tag).split("-")[0].toLowerCase() === lang) return String(tag);
  return lang;
}

/** @param {string} text @param {Record<string, unknown>} [params] */
export function fill(text, params) {
  return params ? text.replace(/\{(\w+)\}/g, (m, k) => (k in params ? String(params[k]) : m)) : text;
}

/** The browser's languages, most wanted first. */
export function browserLanguages() {
  return navigator.languages && navigator.languages.length ? navigator.languages : [navigator.language || "en"];
}

/** How a message's time reads: "now" under a minute, "n minutes ago" under an hour, the clock
 * time the same day, else the date and time (each then written by Intl in the widget's locale).
 * @param {Date} then @param {Date} now
 * @returns {{kind: "now"} | {kind: "minutes", n: number} | {kind: "time"} | {kind: "date"}} */
export function timeAgo(then, now) {
  const s = (now.getTime() - then.getTime()) / 1000;
  if (s < 60) return { kind: "now" };
  if (s < 3600) return { kind: "minutes", n: Math.floor(s / 60) };
  return then.toDateString() === now.toDateString() ? { kind: "time" } : { kind: "date" };
}
