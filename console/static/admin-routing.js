// Routing: how the site's chats reach agents (docs/protocol.md, t("adm_nav_routing")).
import { el, form, note, section } from "./admin-ui.js";
import { t } from "./i18n.js";

export const title = t("adm_nav_routing");

export async function render(ctx) {
  const site = await ctx.reloadSite();
  const skills = (await ctx.api("/skills")).items;
  const r = site.routing;
  const policy = form({
    testid: "routing-form",
    readOnly: !ctx.admin,
    fields: [
      { name: "routing.assignment", label: t("adm_assignment"), type: "select", value: r.assignment,
        options: [["least_busy", t("adm_least_busy")], ["round_robin", t("adm_round_robin")]] },
      { name: "routing.auto_accept", label: t("adm_auto_accept"), type: "checkbox", value: r.auto_accept },
      { name: "routing.offer_timeout_s", label: t("adm_offer_timeout"), type: "number", value: r.offer_timeout_s, min: 1, max: 600 },
      { name: "routing.skill_fallback", label: t("adm_skill_fallback"), type: "checkbox", value: r.skill_fallback },
      { name: "routing.default_skill", label: t("adm_default_skill"), type: "select", value: r.default_skill || "",
        options: [["", t("adm_none")], ...skills.map((s) => [s.name, s.name])] },
    ],
    save: (v) => {
      v.routing.default_skill = v.routing.default_skill || null;
      return ctx.api(`/sites/${site.id}`, { method: "PATCH", body: v });
    },
    done: () => ctx.reloadSite(),
  });
  return el("div", { class: "admin-grid" }, section(t("adm_routing_policy"), note(t("adm_routing_note")), policy));
}
