// The widget's look from the address's query (name, color, greeting, logo): only text and a
// checked colour go into the page, and a logo only from https or this server's uploads.
const q = new URLSearchParams(location.search);
const $ = (id) => document.querySelector(`[data-testid=${id}]`);
const color = /^#[0-9a-fA-F]{6}$/.test(q.get("color") || "") ? q.get("color") : "#0f766e";
for (const id of ["preview-head", "preview-send", "preview-bubble"]) $(id).style.background = color;
$("preview-name").textContent = q.get("name") || "Chat with us";
$("preview-greeting").textContent = q.get("greeting") || "Questions? We're here to help.";
const logo = q.get("logo") || "";
if (/^(https:\/\/|\/api\/v1\/uploads\/)/.test(logo)) {
  $("preview-logo").src = logo;
  $("preview-logo").hidden = false;
}
