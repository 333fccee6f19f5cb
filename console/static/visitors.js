// Who is on the site now (docs/protocol.md, "Live visitors"): `visitors.watch` on the agent
// socket answers a snapshot, then `visitors.delta` frames (at most one a second). Times tick
// here against the server's clock; filters and sorting are local. A row's "Say hello" sends
// `visitor.invite`; clicking a row shows the visitor's page trail (GET /visitors/{id}).
import { AgentSocket, TOKEN_KEY, api, el } from "./parley-client.js";
import { trailItems, trailOf } from "./trail.js";
import { applyTexts, language, t } from "./i18n.js";

applyTexts();
// The tab's title in the console's language too: the brand line ("Parley · Archive").
document.title = document.querySelector(".brand").textContent.trim();
const numbers = new Intl.NumberFormat(language(), { maximumFractionDigits: 2 });
document.querySelector("[data-testid=visitors-count]").textContent = t("vis_count", { n: numbers.format(0) });

const $ = (sel) => document.querySelector(sel);
const token = localStorage.getItem(TOKEN_KEY);
if (!token) location.href = "/console";

const rows = new Map();
let skewMs = 0; // server clock minus ours
let selected = null;

function banner(text) {
  $("#banner").textContent = text;
  $("#banner").hidden = !text;
}

function since(iso) {
  if (!iso) return "–";
  const s = Math.max(0, Math.round((Date.now() + skewMs - Date.parse(iso)) / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${s % 60}s`;
  return `${Math.floor(m / 60)}h ${m % 60}m`;
}

function who(v) {
  return v.name || v.email || t("vis_anonymous", { id: v.id.slice(0, 6) });
}

function status(v) {
  if (v.chat)
    return el("span", { class: "badge chat", "data-testid": "visitor-chatting" }, v.chat.agent_name ? t("vis_chatting_with", { name: v.chat.agent_name }) : t("vis_chatting"));
  if (v.invitation) {
    const by = v.invitation.agent_name ? t("vis_invited_by", { name: v.invitation.agent_name }) : t("vis_invited");
    return el("span", { class: "badge", "data-testid": "visitor-invited" }, `${by}${v.invitation.by_hand ? "" : ` (${t("vis_by_trigger")})`}`);
  }
  return el("span", { class: "muted" }, t("vis_browsing"));
}

function filtered() {
  const form = new FormData($("#filters"));
  const page = String(form.get("page") || "").toLowerCase();
  const wanted = ["chatting", "invited", "neither"].filter((k) => form.get(k));
  const keyOf = {
    site: (v) => -Date.parse(v.visit_started_at || 0),
    page: (v) => -Date.parse(v.page_started_at || v.visit_started_at || 0),
    cart: (v) => v.cart_value || 0,
    views: (v) => v.page_views,
    visits: (v) => v.visit_count,
  }[String(form.get("sort") || "site")];
  const kind = (v) => (v.chat ? "chatting" : v.invitation ? "invited" : "neither");
  return [...rows.values()]
    .filter((v) => !page || `${v.url || ""} ${v.title || ""}`.toLowerCase().includes(page))
    .filter((v) => !wanted.length || wanted.includes(kind(v)))
    .sort((a, b) => keyOf(b) - keyOf(a) || (a.id < b.id ? -1 : 1));
}

function hello(v) {
  banner("");
  agentSocket.send({ type: "visitor.invite", visitor_id: v.id });
}

function render() {
  const shown = filtered();
  $("[data-testid=visitors-count]").textContent = t("vis_count", { n: numbers.format(rows.size) });
  $("[data-testid=visitors-empty]").hidden = rows.size > 0;
  $("[data-testid=visitors-rows]").replaceChildren(
    ...shown.map((v) =>
      el(
        "tr",
        { "data-testid": "visitor-row", "data-visitor-id": v.id, class: v.id === selected ? "selected" : "", onclick: () => openTrail(v.id) },
        // The name is a button too, so the trail opens from the keyboard as well as by a click.
        el(
          "td",
          {},
          el(
            "button",
            {
              type: "button",
              class: "link-btn",
              "data-testid": "visitor-open",
              "aria-label": t("vis_show_trail", { name: who(v) }),
              onclick: (ev) => {
                ev.stopPropagation();
                openTrail(v.id);
              },
            },
            el("strong", {}, who(v)),
          ),
          el("span", { class: "muted small" }, ` ${t(v.returning ? "vis_returning" : "vis_new")}`)),
        el("td", { class: "page", title: v.url || "" }, el("span", { "data-testid": "visitor-page" }, v.title || v.url || "–"), el("br"), el("span", { class: "muted small", "data-testid": "visitor-url" }, v.url || "")),
        el("td", { "data-since": v.page_started_at || "", "data-testid": "visitor-on-page" }, since(v.page_started_at)),
        el("td", { "data-since": v.visit_started_at || "", "data-testid": "visitor-on-site" }, since(v.visit_started_at)),
        el("td", {}, numbers.format(v.page_views)),
        el("td", {}, numbers.format(v.visit_count)),
        el("td", {}, v.cart_value == null ? "–" : numbers.format(v.cart_value)),
        el("td", { class: "page" }, v.referrer || "–"),
        el("td", {}, status(v)),
        el(
          "td",
          {},
          el(
            "button",
            {
              type: "button",
              "data-testid": "say-hello",
              "aria-label": t("vis_say_hello_to", { name: who(v) }),
              disabled: v.chat || v.invitation ? true : null,
              onclick: (ev) => {
                ev.stopPropagation();
                hello(v);
              },
            },
            t("vis_say_hello"),
          ),
        ),
      ),
    ),
  );
}

// Times tick every second without touching the rest of the table.
setInterval(() => {
  for (const cell of document.querySelectorAll("[data-since]")) cell.textContent = since(cell.getAttribute("data-since"));
}, 1000);

async function openTrail(id) {
  selected = id;
  render();
  const v = rows.get(id);
  $("[data-testid=visitor-detail-name]").textContent = v ? who(v) : "";
  try {
    const detail = await api(`/visitors/${encodeURIComponent(id)}`, { token });
    if (selected !== id) return;
    $("[data-testid=visitor-trail]").replaceChildren(...trailItems(trailOf(detail)));
  } catch (err) {
    banner(String(err.message || err));
  }
}

const agentSocket = new AgentSocket(token, "&presence=keep");
agentSocket.addEventListener("open", () => {
  $("[data-testid=connection]").textContent = t("vis_live");
  agentSocket.send({ type: "visitors.watch" });
});
agentSocket.addEventListener("close", (ev) => {
  $("[data-testid=connection]").textContent = ev.detail === 4401 ? t("vis_signed_out") : t("reconnecting");
  if (ev.detail === 4401) location.href = "/console";
});
agentSocket.addEventListener("frame", (ev) => {
  const f = ev.detail;
  if (f.type === "visitors.snapshot") {
    skewMs = Date.parse(f.now) - Date.now();
    rows.clear();
    for (const v of f.visitors) rows.set(v.id, v);
    render();
  } else if (f.type === "visitors.delta") {
    skewMs = Date.parse(f.now) - Date.now();
    for (const v of f.updated) rows.set(v.id, v);
    for (const id of f.left) rows.delete(id);
    render();
    if (selected && f.updated.some((v) => v.id === selected)) openTrail(selected);
  } else if (f.type === "resync") {
    agentSocket.send({ type: "visitors.watch" }); // deltas may have been lost: a fresh snapshot
  } else if (f.type === "visitor.invited") {
    const v = rows.get(f.visitor_id);
    banner(t("vis_said_hello", { name: v ? who(v) : t("vis_the_visitor") }));
  } else if (f.type === "error") {
    banner(f.message);
  }
});
$("#filters").addEventListener("input", render);
agentSocket.connect();
