// The archive: past chats of the site found by words, dates, agent, rating and status
// (GET /chats), read-only transcripts (GET /chats/{id}/messages) and exports (GET /chats/export).
// What an agent may find and read is decided by the API (docs/protocol.md, "GET /chats").
import { TOKEN_KEY, api, el } from "./parley-client.js";
import { renderMessage } from "./messages.js";
import { applyTexts, language, t } from "./i18n.js";

applyTexts();
// The tab's title in the console's language too: the brand line ("Parley · Archive").
document.title = document.querySelector(".brand").textContent.trim();

const $ = (sel) => document.querySelector(sel);
const token = localStorage.getItem(TOKEN_KEY);
if (!token) location.href = "/console";
const agents = new Map();
let cursor = null;
let selected = null;
// Dates and times in the console's language.
const when = (iso) => new Date(iso).toLocaleString(language());
const statusName = (status) =>
  ({ closed: t("chat_closed"), active: t("chat_active"), queued: t("chat_queued"), offline: t("chat_offline") })[status] || status;

function banner(text) {
  $("#banner").textContent = text;
  $("#banner").hidden = !text;
}

// The form's filters as query parameters; dates are whole local days.
function params() {
  const form = new FormData($("#filters"));
  const out = new URLSearchParams();
  for (const [key, value] of form) {
    if (!value) continue;
    if (key === "from") out.set("from", new Date(value + "T00:00:00").toISOString());
    else if (key === "to") {
      const end = new Date(value + "T00:00:00");
      end.setDate(end.getDate() + 1);
      out.set("to", end.toISOString());
    } else out.set(key, String(value));
  }
  return out;
}

function row(chat) {
  const who = chat.visitor.name || chat.visitor.email || t("visitor");
  const agent = chat.agent_id ? (agents.get(chat.agent_id) || {}).name || t("arch_an_agent") : t("arch_no_agent");
  return el(
    "li",
    {},
    el(
      "button",
      { type: "button", "data-testid": "archive-result", "data-chat-id": chat.id, onclick: () => open(chat) },
      el("strong", {}, who),
      el("span", { class: "muted small" }, ` · ${when(chat.created_at)} · ${statusName(chat.status)} · ${agent}`),
    ),
  );
}

async function search(more = false) {
  banner("");
  const q = params();
  q.set("limit", "50");
  if (more && cursor) q.set("cursor", cursor);
  try {
    const page = await api(`/chats?${q}`, { token });
    const list = $("[data-testid=archive-results]");
    if (!more) list.replaceChildren();
    list.append(...page.items.map(row));
    cursor = page.next_cursor;
    $("[data-testid=archive-more]").hidden = !cursor;
    $("[data-testid=archive-empty]").hidden = list.children.length > 0;
  } catch (e) {
    banner(t("arch_search_failed", { error: e.message }));
  }
}

async function open(chat) {
  selected = chat.id;
  for (const b of document.querySelectorAll("[data-testid=archive-result]")) b.setAttribute("aria-current", String(b.dataset.chatId === chat.id));
  const who = chat.visitor.name || t("visitor");
  const started = t("arch_started", { when: when(chat.created_at) });
  $("[data-testid=archive-chat-meta]").textContent = `${who}${chat.visitor.email ? " <" + chat.visitor.email + ">" : ""} · ${started} · ${statusName(chat.status)}`;
  const box = $("[data-testid=archive-transcript]");
  const survey = $("[data-testid=archive-survey]");
  survey.hidden = true;
  box.replaceChildren(el("p", { class: "muted" }, t("loading")));
  try {
    const [messages, rated] = await Promise.all([
      api(`/chats/${chat.id}/messages?limit=1000`, { token }),
      api(`/chats/${chat.id}/survey`, { token }),
    ]);
    if (selected !== chat.id) return;
    box.replaceChildren(...messages.items.map((m) => renderMessage(m, { viewer: "agent", token })));
    if (rated.survey) {
      const stars = "★".repeat(rated.survey.rating);
      survey.textContent = `${t("arch_rated", { rating: rated.survey.rating })} ${stars}${rated.survey.comment ? " — “" + rated.survey.comment + "”" : ""}`;
      survey.hidden = false;
    }
  } catch (e) {
    box.replaceChildren(el("p", { class: "error" }, e.message));
  }
}

async function exportAs(format) {
  const q = params();
  q.set("format", format);
  const res = await fetch(`/api/v1/chats/export?${q}`, { headers: { Authorization: "Bearer " + token } });
  if (!res.ok) return banner(t("could_not_export", { error: res.statusText }));
  const link = el("a", { href: URL.createObjectURL(await res.blob()) });
  link.download = `parley-chats.${format}`;
  link.click();
  URL.revokeObjectURL(link.href);
}

async function loadAgents() {
  try {
    for (const a of (await api("/agents", { token })).items) {
      agents.set(a.id, a);
      $("[data-testid=archive-agent]").append(el("option", { value: a.id }, a.name));
    }
  } catch {
    // The list still works without names.
  }
}

$("#filters").addEventListener("submit", (e) => {
  e.preventDefault();
  search();
});
$("[data-testid=archive-more]").addEventListener("click", () => search(true));
$("[data-testid=archive-csv]").addEventListener("click", () => exportAs("csv"));
$("[data-testid=archive-json]").addEventListener("click", () => exportAs("json"));
await loadAgents();
search();
