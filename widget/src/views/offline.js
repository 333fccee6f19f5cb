// @ts-check
/** While the site is unavailable (outside office hours, or nobody online): the pre-chat form
 * becomes an offline message form (name, e-mail, message), says so plainly, and suggests the
 * shop's FAQ answers that match what the visitor types before they send it. */
import { h } from "../../../client/src/index.js";
import { S, readProfile, send, ui } from "../core.js";

// Wait this long after the last key before asking for suggestions: one search per pause.
const FAQ_DEBOUNCE_MS = 300;
const MIN_QUERY = 3;

let faqTimer = /** @type {any} */ (0);
let lastQuery = "";

/** The session says a chat started now would not reach an agent. */
export const isOffline = () => !!S.config && S.config.available === false;

/** The suggestions box and the offline heading, built once into the pre-chat form. */
export function mountOffline() {
  ui.faqList = h("div", { class: "faq__list" });
  ui.faq = h("div", { class: "faq", "data-testid": "faq-suggestions", hidden: true, "aria-live": "polite" },
    h("p", { class: "faq__title", text: "These answers may help right away:" }), ui.faqList);
  ui.msgInput.addEventListener("input", () => {
    if (!isOffline()) return;
    clearTimeout(faqTimer);
    faqTimer = setTimeout(searchFaq, FAQ_DEBOUNCE_MS);
  });
  return ui.faq;
}

function searchFaq() {
  const q = ui.msgInput.value.trim().slice(0, 1000);
  if (q === lastQuery) return;
  lastQuery = q;
  if (q.length < MIN_QUERY) {
    renderFaq([]);
    return;
  }
  send({ type: "faq.search", q });
}

/** @param {any} f a faq.suggestions frame */
export function onFaqSuggestions(f) {
  if (!ui.faq || f.q !== lastQuery) return; // an answer to an older search
  renderFaq(Array.isArray(f.items) ? f.items : []);
}

/** @param {any[]} items */
function renderFaq(items) {
  ui.faqList.textContent = "";
  for (const item of items.slice(0, 3)) {
    ui.faqList.append(h("details", { class: "faq__item", "data-testid": "faq-item" },
      h("summary", { text: String(item.title || "") }),
      h("p", { class: "faq__body", text: String(item.body || "") })));
  }
  ui.faq.hidden = items.length === 0;
}

/** The pre-chat form in the mode the site is in now. */
export function renderOfflineForm() {
  if (!ui.faq) return;
  const offline = isOffline();
  ui.prechat.classList.toggle("prechat--offline", offline);
  ui.prechat.setAttribute("data-mode", offline ? "offline" : "live");
  ui.emailLabel.textContent = offline ? "E-mail (we answer there)" : "E-mail (optional)";
  ui.msgLabel.textContent = offline ? "Your message" : "How can we help?";
  ui.submit.textContent = offline ? "Send message" : "Start chat";
  if (offline) {
    ui.avail.classList.add("avail--off");
    ui.availText.textContent = "We're away right now. Leave us a message and we'll answer by e-mail.";
  } else {
    ui.faq.hidden = true;
  }
}

/** The status line of an offline chat. */
export function offlineStatus() {
  const email = readProfile().email || (S.visitor && S.visitor.email) || "";
  return "We're away right now. We got your message and will answer by e-mail" + (email ? " at " + email : "") + ". You can add more here.";
}
