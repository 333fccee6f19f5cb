// Routing: how the site's chats reach agents (docs/protocol.md, "Routing").
import { el, form, note, section } from "./admin-ui.js";

export const title = "Routing";

export async function render(ctx) {
  const site = await ctx.reloadSite();
  const skills = (await ctx.api("/skills")).items;
  const r = site.routing;
  const policy = form({
    testid: "routing-form",
    readOnly: !ctx.admin,
    fields: [
      { name: "routing.assignment", label: "Who gets the next chat", type: "select", value: r.assignment,
        options: [["least_busy", "The least busy agent"], ["round_robin", "Each agent in turn"]] },
      { name: "routing.auto_accept", label: "Chats are assigned at once (no offer to accept)", type: "checkbox", value: r.auto_accept },
      { name: "routing.offer_timeout_s", label: "Seconds an offer waits before the next agent (empty: the server's default)", type: "number", value: r.offer_timeout_s, min: 1, max: 600 },
      { name: "routing.skill_fallback", label: "With nobody of a chat's skill online, give it to any online agent", type: "checkbox", value: r.skill_fallback },
      { name: "routing.default_skill", label: "Skill of chats that name none", type: "select", value: r.default_skill || "",
        options: [["", "— none —"], ...skills.map((s) => [s.name, s.name])] },
    ],
    save: (v) => {
      v.routing.default_skill = v.routing.default_skill || null;
      return ctx.api(`/sites/${site.id}`, { method: "PATCH", body: v });
    },
    done: () => ctx.reloadSite(),
  });
  return el("div", { class: "admin-grid" }, section("Routing policy", note("Changes apply to the next chat; waiting chats are routed again at once."), policy));
}
