// The admin page: one section per area, chosen by the address's hash (#/sites, #/agents, ...).
// A section is a module loaded when first shown, exporting `title` and `render(ctx)`; adding an
// area (office hours, triggers, webhooks, API tokens, privacy) is one line in SECTIONS and one
// module. Admins write; supervisors read (forms shown disabled); the API decides either way.
import { TOKEN_KEY } from "./parley-client.js";
import { el, request } from "./admin-ui.js";

const SECTIONS = [
  { id: "sites", title: "Sites", load: () => import("./admin-sites.js") },
  { id: "agents", title: "Agents", load: () => import("./admin-agents.js") },
  { id: "skills", title: "Skills & departments", load: () => import("./admin-skills.js") },
  { id: "replies", title: "Saved replies", load: () => import("./admin-replies.js") },
  { id: "routing", title: "Routing", load: () => import("./admin-routing.js") },
  { id: "api-tokens", title: "API tokens", load: () => import("./admin-apitokens.js") },
];

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
  main.replaceChildren(el("p", { class: "muted" }, "Loading…"));
  try {
    const module = await sectionInfo.load();
    const node = await module.render(ctx);
    if (turn !== shown) return;
    main.replaceChildren(el("h1", { class: "admin-title" }, sectionInfo.title), node);
    main.dataset.section = sectionInfo.id;
    document.title = `${sectionInfo.title} · Parley admin`;
  } catch (e) {
    if (turn !== shown) return;
    main.replaceChildren(el("p", { class: "error", "data-testid": "admin-load-error" }, `Could not load ${sectionInfo.title}: ${e.message}`));
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
    banner("Could not load your account: " + e.message);
    return;
  }
  if (!["admin", "supervisor"].includes(ctx.me.role)) {
    $("[data-testid=admin-main]").replaceChildren(el("p", { "data-testid": "admin-refused" }, "The admin pages are for admins and supervisors."));
    return;
  }
  if (!ctx.admin) banner("You are a supervisor: you can read these settings; an admin changes them.");
  await ctx.reloadSite();
  $("[data-testid=admin-nav]").replaceChildren(
    ...SECTIONS.map((s) => el("a", { href: `#/${s.id}`, "data-section": s.id, "data-testid": `admin-nav-${s.id}` }, s.title)),
  );
  window.addEventListener("hashchange", show);
  await show();
}

start();
