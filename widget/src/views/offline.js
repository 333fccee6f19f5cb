// @ts-check
/** While the site is unavailable (outside office hours, or nobody online): the pre-chat form
 * becomes an offline message form (name, e-mail, message), says so plainly, and suggests the
 * shop's FAQ answers that match what the visitor types before they send it. */
import { h } from "../../../client/src/index.js";
import { S, readProfile, send, ui } from "../core.js";
import { t } from "../i18n.js";

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
    h("p", { class: "faq__title", text: t("faq_title") }), ui.faqList);
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
  ui.emailLabel.textContent = t(offline ? "email_label_offline" : "email_label");
  ui.msgLabel.textContent = t(offline ? "message_label_offline" : "message_label");
  ui.submit.textContent = t(offline ? "send_message" : "start_chat");
  if (offline) {
    ui.avail.classList.add("avail--off");
    ui.availText.textContent = t("away");
  } else {
    ui.faq.hidden = true;
  }
}

/** The status line of an offline chat. */
export function offlineStatus() {
  const email = readProfile().email || (S.visitor && S.visitor.email) || "";
  return email ? t("offline_status_email", { email }) : t("offline_status");
}
