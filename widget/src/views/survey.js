// @ts-check
/** The post-chat survey under an ended chat: "How was this chat?" with five ratings (a radio
 * group: Tab reaches it, the arrow keys choose, Space selects) and an optional comment, sent as
 * `survey.submit`. Sending again changes the rating; the server keeps one per chat. */
import { h } from "../../../client/src/index.js";
import { S, ensureSocket, send, ui } from "../core.js";
import { t } from "../i18n.js";

const LABELS = ["rating_1", "rating_2", "rating_3", "rating_4", "rating_5"];
let shownFor = /** @type {string | null} */ (null);
let pendingFor = /** @type {string | null} */ (null);

export function surveyForm() {
  ui.svRatings = LABELS.map((key, i) => {
    const label = t(key);
    const value = String(i + 1);
    const input = h("input", { type: "radio", name: "parley-rating", value, id: `parley-rating-${value}`, "data-testid": `survey-rating-${value}` });
    return h("label", { class: "survey__star", for: `parley-rating-${value}`, title: label }, input, h("span", { "aria-hidden": "true", text: "\u2605" }), h("span", { class: "sr-only", text: t("rating_of", { n: value, label }) }));
  });
  ui.svGroup = h("div", { class: "survey__ratings", role: "radiogroup", "aria-labelledby": "parley-survey-q" }, ...ui.svRatings);
  ui.svComment = h("textarea", { class: "survey__comment", rows: 2, maxlength: 2000, "aria-label": t("survey_comment_label"), placeholder: t("survey_comment"), "data-testid": "survey-comment" });
  ui.svSend = h("button", { type: "submit", class: "btn btn--primary btn--sm", "data-testid": "survey-send", text: t("survey_send") });
  ui.svStatus = h("p", { class: "survey__status", role: "status", "data-testid": "survey-status" });
  ui.svForm = h("form", { class: "survey__form", novalidate: true, onsubmit: submit },
    h("p", { class: "survey__q", id: "parley-survey-q", text: t("survey_question") }), ui.svGroup, ui.svComment, ui.svSend);
  ui.survey = h("div", { class: "survey", hidden: true, "data-testid": "survey" }, ui.svForm, ui.svStatus);
  return ui.survey;
}

export function renderSurvey() {
  if (!ui.survey) return;
  const chat = S.chat;
  const id = chat ? chat.id : null;
  if (id !== shownFor) {
    shownFor = id;
    pendingFor = null;
    ui.svForm.hidden = false;
    ui.svSend.disabled = false;
    ui.svComment.value = "";
    for (const label of ui.svRatings) /** @type {HTMLInputElement} */ (label.firstChild).checked = false;
    ui.svStatus.textContent = "";
  }
  ui.survey.hidden = !(chat && chat.status === "closed");
}

/** @param {Event} e */
function submit(e) {
  e.preventDefault();
  if (!S.chat) return;
  const chosen = /** @type {HTMLInputElement | null} */ (ui.svGroup.querySelector("input:checked"));
  if (!chosen) {
    ui.svStatus.textContent = t("survey_choose");
    /** @type {HTMLInputElement} */ (ui.svRatings[0].firstChild).focus();
    return;
  }
  const comment = ui.svComment.value.trim();
  ensureSocket();
  const frame = { type: "survey.submit", chat_id: S.chat.id, rating: Number(chosen.value), ...(comment ? { comment } : {}) };
  if (!send(frame)) {
    ui.svStatus.textContent = t("not_connected");
    return;
  }
  pendingFor = S.chat.id;
  ui.svSend.disabled = true;
  ui.svStatus.textContent = t("sending");
}

/** `survey.saved` from the server. @param {any} f */
export function onSurveySaved(f) {
  if (!pendingFor || f.chat_id !== pendingFor) return;
  pendingFor = null;
  ui.svSend.disabled = false;
  ui.svForm.hidden = true;
  ui.svStatus.textContent = t("survey_thanks");
}

/** An error that answers our survey; true when it was one. @param {any} f */
export function onSurveyError(f) {
  if (!pendingFor || f.ref || f.chat_id !== pendingFor) return false;
  pendingFor = null;
  ui.svSend.disabled = false;
  ui.svStatus.textContent = t("failed");
  return true;
}
