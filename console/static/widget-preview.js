// The widget's look from the address's query (name, color, greeting, logo): only text and a
// checked colour go into the page, and a logo only from https or this server's uploads. Its
// sample texts are in the admin's console language (i18n.js), like the page around it.
import { applyTexts, t } from "./i18n.js";

applyTexts();
const q = new URLSearchParams(location.search);
const $ = (id) => document.querySelector(`[data-testid=${id}]`);
const color = /^#[0-9a-fA-F]{6}$/.test(q.get("color") || "") ? q.get("color") : "#0f766e";
for (const id of ["preview-head", "preview-send", "preview-bubble"]) $(id).style.background = color;
$("preview-name").textContent = q.get("name") || t("preview_name");
$("preview-greeting").textContent = q.get("greeting") || t("adm_default_greeting");
const logo = q.get("logo") || "";
if (/^(https:\/\/|\/api\/v1\/uploads\/)/.test(logo)) {
  $("preview-logo").src = logo;
  $("preview-logo").hidden = false;
}
