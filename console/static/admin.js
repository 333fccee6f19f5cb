// The admin page: one section per area, chosen by the address's hash (#/sites, #/agents, ...).
// A section is a module loaded when first shown, exporting `title` and `render(ctx)`; adding an
// area (office hours, triggers, webhooks, API tokens, privacy) is one line in SECTIONS and one
// module. Admins write; supervisors read (forms shown disabled); the API decides either way.
// Every text comes from the console's catalogues (i18n.js), in the language chosen in the top bar.
import { TOKEN_KEY } from "./parley-client.js";
import { el, request } from "./admin-ui.js";
import { applyTexts, languageMenu, t } from "./i18n.js";

const SECTIONS = [
  { id: "sites", title: t("adm_nav_sites"), load: () => import("./admin-sites.js") },
  { id: "agents", title: t("adm_nav_agents"), load: () => import("./admin-agents.js") },
  { id: "skills", title: t("adm_nav_skills"), load: () => import("./admin-skills.js") },
  { id: "replies", title: t("adm_nav_replies"), load: () => import("./admin-replies.js") },
  { id: "routing", title: t("adm_nav_routing"), load: () => import("./admin-routing.js") },
  { id: "hours", title: t("adm_nav_hours"), load: () => import("./admin-hours.js") },
  { id: "triggers", title: t("adm_nav_triggers"), load: () => import("./admin-triggers.js") },
  { id: "webhooks", title: t("adm_nav_webhooks"), load: () => import("./admin-webhooks.js") },
  { id: "privacy", title: t("adm_nav_privacy"), load: () => import("./admin-privacy.js") },
  { id: "api-tokens", title: t("adm_nav_api_tokens"), load: () => import("./admin-apitokens.js") },
];

applyTexts();
document.querySelector(".topbar .spacer").after(languageMenu());

const $ = (sel) => document.querySelector(sel);
const token = localStorage.getItem(TOKEN_KEY);
if (!token) location.href = "/console";

function banner(text) {
  $("#banner").textContent = text;
  $("#banner").hidden = !text;
}

const ctx = {
  token,
  me: null,
  site: null,
  api: (path, options = {}) => request(path, { ...options, token }),
  get admin() {
    return ctx.me && ctx.me.role === "admin";
  },
  async reloadSite() {
    ctx.site = await ctx.api(`/sites/${ctx.me.site_id}`);
    $("[data-testid=admin-site-name]").textContent = ctx.site.name;
    return ctx.site;
  },
  go: (id) => (location.hash = `#/${id}`),
};

function current() {
  const id = location.hash.replace(/^#\/?/, "").split("/")[0];
  return SECTIONS.find((s) => s.id === id) || SECTIONS[0];
}

let shown = 0; // a later navigation wins over a slower earlier one
async function show() {
  const sectionInfo = current();
  const turn = ++shown;
  for (const a of document.querySelectorAll("[data-testid=admin-nav] a")) {
    a.setAttribute("aria-current", String(a.dataset.section === sectionInfo.id));
  }
  const main = $("[data-testid=admin-main]");
  main.replaceChildren(el("p", { class: "muted" }, t("adm_loading")));
  try {
    const module = await sectionInfo.load();
    const node = await module.render(ctx);
    if (turn !== shown) return;
    main.replaceChildren(el("h1", { class: "admin-title" }, sectionInfo.title), node);
    main.dataset.section = sectionInfo.id;
    document.title = t("adm_page_title", { section: sectionInfo.title });
  } catch (e) {
    if (turn !== shown) return;
    main.replaceChildren(el("p", { class: "error", "data-testid": "admin-load-error" }, t("adm_load_error", { section: sectionInfo.title, error: e.message })));
  }
}

async function start() {
  try {
    ctx.me = await ctx.api("/agents/me");
  } catch (e) {
    if (e.status === 401) {
      localStorage.removeItem(TOKEN_KEY);
      location.href = "/console";
      return;
    }
    banner(t("adm_account_error", { error: e.message }));
    return;
  }
  if (!["admin", "supervisor"].includes(ctx.me.role)) {
    $("[data-testid=admin-main]").replaceChildren(el("p", { "data-testid": "admin-refused" }, t("adm_refused")));
    return;
  }
  if (!ctx.admin) banner(t("adm_supervisor_reads"));
  await ctx.reloadSite();
  $("[data-testid=admin-nav]").replaceChildren(
    ...SECTIONS.map((s) => el("a", { href: `#/${s.id}`, "data-section": s.id, "data-testid": `admin-nav-${s.id}` }, s.title)),
  );
  window.addEventListener("hashchange", show);
  await show();
}

start();
