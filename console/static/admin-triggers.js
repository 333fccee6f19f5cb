// Triggers (proactive invitations) have their own page, /console/triggers, with its rule
// editor and figures; this section lists them and leads there, so every setting is found here.
import { el, note, section } from "./admin-ui.js";
import { t } from "./i18n.js";

export const title = t("adm_nav_triggers");

export async function render(ctx) {
  if (!ctx.admin) return section(t("adm_nav_triggers"), note(t("adm_admins_only")));
  const items = (await ctx.api("/triggers?limit=200")).items;
  const list = el("ul", { class: "admin-list", "data-testid": "admin-trigger-list" }, ...items.map((tr) =>
    el("li", { class: "admin-row", "data-testid": "admin-trigger-row" }, el("strong", {}, tr.name), " ",
      el("span", { class: "muted small" }, tr.enabled ? t("adm_trigger_on") : t("adm_trigger_off")))));
  return el("div", { class: "admin-grid" },
    section(t("adm_nav_triggers"), note(t("adm_triggers_note")),
      items.length ? list : note(t("adm_triggers_none")),
      el("p", {}, el("a", { class: "link", href: "/console/triggers", "data-testid": "admin-triggers-open" }, t("adm_triggers_open")))),
  );
}
