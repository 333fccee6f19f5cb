// The console's texts in the agent's language (console/i18n/<lang>.json). The language is the
// agent's choice in this browser (localStorage): a per-device preference like the notification
// switch, which needs no account setting. Elements of the pages carry data-i18n="key" (their
// text), data-i18n-title / -placeholder / -aria-label; scripts call t with a key and
// its parameters.
export const LANGUAGES = { en: "English", da: "Dansk", sv: "Svenska", nl: "Nederlands", de: "Deutsch" };
const KEY = "parley.console.language";

/** The language chosen in this browser (English until one is). */
export function language() {
  const chosen = localStorage.getItem(KEY);
  return chosen && chosen in LANGUAGES ? chosen : "en";
}

// A busy server or a dropped connection must not leave the console showing bare keys: the
// catalogue is asked for a few times, then in English, before the page goes on without it.
async function load(lang, attempts = 3) {
  for (let i = 0; i < attempts; i++) {
    try {
      const res = await fetch(`/console/i18n/${lang}.json`);
      if (res.ok) return (await res.json()).console || {};
    } catch {
      // retried below
    }
    await new Promise((resolve) => setTimeout(resolve, 300 * (i + 1)));
  }
  return lang === "en" ? {} : load("en", 1);
}

const texts = await load(language());

/** A console text; {name} placeholders filled from `params`. */
export function t(key, params) {
  const text = texts[key] || key;
  return params ? text.replace(/\{(\w+)\}/g, (m, k) => (k in params ? String(params[k]) : m)) : text;
}

const ATTRIBUTES = ["title", "placeholder", "aria-label"];

/** Puts the texts into the page's marked elements (English in the HTML until then). */
export function applyTexts(root = document) {
  document.documentElement.lang = language();
  for (const node of root.querySelectorAll("[data-i18n]")) {
    const text = texts[node.dataset.i18n];
    if (text) node.textContent = text;
  }
  for (const attr of ATTRIBUTES) {
    for (const node of root.querySelectorAll(`[data-i18n-${attr}]`)) {
      const text = texts[node.getAttribute(`data-i18n-${attr}`)];
      if (text) node.setAttribute(attr, text);
    }
  }
}

/** The language menu in the top bar: choosing reloads the console in that language. */
export function languageMenu() {
  const select = document.createElement("select");
  select.dataset.testid = "console-language";
  select.setAttribute("aria-label", t("language"));
  for (const [code, name] of Object.entries(LANGUAGES)) {
    const option = new Option(name, code, false, code === language());
    option.lang = code;
    select.append(option);
  }
  select.addEventListener("change", () => {
    localStorage.setItem(KEY, select.value);
    location.reload();
  });
  return select;
}
