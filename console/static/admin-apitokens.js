// API tokens (admins only): create one for an integration (its secret shown once, to copy),
// see when each was last used, revoke one (refused on every server process at once).
import { copyBlock, el, form, note, section } from "./admin-ui.js";

export const title = "API tokens";

export async function render(ctx) {
  if (!ctx.admin) return section("API tokens", note("API tokens are for admins."));
  const rerender = () => dispatchEvent(new HashChangeEvent("hashchange"));
  const tokens = (await ctx.api("/api-tokens")).items;
  const shown = el("div", { "data-testid": "api-token-created" });
  const create = form({
    testid: "new-api-token-form",
    submit: "Create token",
    saved: "Created.",
    fields: [
      { name: "name", label: "Name", placeholder: "CRM sync" },
      { name: "role", label: "Acts as", type: "select", value: "agent", options: [["agent", "agent (every chat of the site)"], ["admin", "admin (also manages)"]] },
      { name: "scope", label: "May", type: "select", value: "write", options: [["write", "read and write"], ["read", "only read"]] },
    ],
    save: (v) => ctx.api("/api-tokens", { method: "POST", body: v }),
    done: (created, node) => {
      node.reset();
      shown.replaceChildren(el("p", { class: "small" }, `Copy the token for "${created.name}" now: it is not shown again.`), copyBlock(created.token, "api-token-secret"));
      list.replaceChildren(...[created, ...tokens].map(row));
    },
  });
  function row(t) {
    const used = t.last_used_at ? `last used ${new Date(t.last_used_at).toLocaleString()}` : "never used";
    return el("li", { class: "admin-row", "data-testid": "api-token-row", "data-name": t.name },
      el("strong", {}, t.name), " ", el("span", { class: "muted small" }, `${t.role} · ${t.scope} · ${used}`), " ",
      el("button", {
        type: "button", class: "ghost", "data-testid": "api-token-revoke",
        onclick: async () => {
          if (!confirm(`Revoke "${t.name}"? Integrations using it stop working at once.`)) return;
          await ctx.api(`/api-tokens/${t.id}`, { method: "DELETE" });
          rerender();
        },
      }, "Revoke"));
  }
  const list = el("ul", { class: "admin-list", "data-testid": "api-token-list" }, ...tokens.map(row));
  return el("div", { class: "admin-grid" },
    section("New API token", note("For integrations such as a CRM (docs/crm.md). Revoking takes effect at once."), create, shown),
    section("API tokens", list),
  );
}
