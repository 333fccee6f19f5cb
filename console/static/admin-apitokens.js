// API tokens (admins only): create one for an integration (its secret shown once, to copy),
// see when each was last used, revoke one (refused on every server process at once).
import { copyBlock, el, form, guarded, note, problemBox, section, when } from "./admin-ui.js";
import { t } from "./i18n.js";

export const title = t("adm_nav_api_tokens");

const ROLE = { agent: t("adm_role_agent"), admin: t("adm_brand") };
const SCOPE = { write: t("adm_scope_write"), read: t("adm_scope_read") };

export async function render(ctx) {
  if (!ctx.admin) return section(t("adm_nav_api_tokens"), note(t("adm_tokens_admins")));
  const rerender = () => dispatchEvent(new HashChangeEvent("hashchange"));
  const tokens = (await ctx.api("/api-tokens")).items;
  const shown = el("div", { "data-testid": "api-token-created" });
  const create = form({
    testid: "new-api-token-form",
    submit: t("adm_create_token"),
    saved: t("adm_created"),
    fields: [
      { name: "name", label: t("adm_name"), placeholder: t("adm_token_placeholder") },
      { name: "role", label: t("adm_acts_as"), type: "select", value: "agent", options: [["agent", t("adm_token_agent")], ["admin", t("adm_token_admin")]] },
      { name: "scope", label: t("adm_may"), type: "select", value: "write", options: [["write", t("adm_scope_write")], ["read", t("adm_scope_read")]] },
    ],
    save: (v) => ctx.api("/api-tokens", { method: "POST", body: v }),
    done: (created, node) => {
      node.reset();
      shown.replaceChildren(el("p", { class: "small" }, t("adm_token_copy_now", { name: created.name })), copyBlock(created.token, "api-token-secret"));
      list.replaceChildren(...[created, ...tokens].map(row));
    },
  });
  function row(tok) {
    const used = tok.last_used_at ? t("adm_token_last_used", { when: when(tok.last_used_at) }) : t("adm_token_never_used");
    const problem = problemBox("api-token-revoke-error");
    return el("li", { class: "admin-row", "data-testid": "api-token-row", "data-name": tok.name },
      el("strong", {}, tok.name), " ", el("span", { class: "muted small" }, `${ROLE[tok.role] || tok.role} · ${SCOPE[tok.scope] || tok.scope} · ${used}`), " ",
      el("button", {
        type: "button", class: "ghost", "data-testid": "api-token-revoke",
        onclick: guarded(problem, async () => {
          if (!confirm(t("adm_token_revoke_confirm", { name: tok.name }))) return;
          await ctx.api(`/api-tokens/${tok.id}`, { method: "DELETE" });
          rerender();
        }),
      }, t("adm_revoke")), problem);
  }
  const list = el("ul", { class: "admin-list", "data-testid": "api-token-list" }, ...tokens.map(row));
  return el("div", { class: "admin-grid" },
    section(t("adm_new_token"), note(t("adm_tokens_note")), create, shown),
    section(t("adm_nav_api_tokens"), list),
  );
}
