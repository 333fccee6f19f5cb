// API tokens, for admins: create one for an integration (its secret is shown once, to copy),
// see when each was last used, revoke one (refused on every server process at once).
import { api, el } from "./parley-client.js";
import { language, t } from "./i18n.js";

export function setupApiTokens({ button, dialog, token }) {
  const list = dialog.querySelector("[data-testid=api-tokens-list]");
  const form = dialog.querySelector("[data-testid=api-token-form]");
  const shown = dialog.querySelector("[data-testid=api-token-shown]");
  const error = dialog.querySelector("[data-testid=api-token-error]");

  async function render() {
    list.replaceChildren(el("li", { class: "muted" }, t("loading")));
    try {
      const tokens = (await api("/api-tokens", { token: token() })).items;
      list.replaceChildren(...(tokens.length ? tokens.map(row) : [el("li", { class: "muted" }, t("tok_none"))]));
    } catch (e) {
      list.replaceChildren(el("li", { class: "error" }, e.message));
    }
  }

  function row(tok) {
    const problem = el("p", { class: "error small", "aria-live": "polite" });
    const revoke = el(
      "button",
      {
        type: "button",
        class: "ghost",
        "data-testid": "api-token-revoke",
        onclick: async () => {
          if (!confirm(t("tok_confirm_revoke", { name: tok.name }))) return;
          problem.textContent = "";
          try {
            await api(`/api-tokens/${tok.id}`, { method: "DELETE", token: token() });
            await render();
          } catch (e) {
            problem.textContent = e.message;
          }
        },
      },
      t("tok_revoke"),
    );
    revoke.setAttribute("aria-label", t("tok_revoke_named", { name: tok.name }));
    const used = tok.last_used_at ? t("tok_last_used", { when: new Date(tok.last_used_at).toLocaleString(language()) }) : t("tok_never_used");
    const role = { agent: t("tok_role_agent"), admin: t("tok_role_admin") }[tok.role] || tok.role;
    const scope = { write: t("tok_scope_write"), read: t("tok_scope_read") }[tok.scope] || tok.scope;
    return el(
      "li",
      { class: "team-row", "data-testid": "api-token-row", "data-name": tok.name },
      el("div", {}, el("strong", {}, tok.name), " ", el("span", { class: "muted small" }, `${role} · ${scope} · ${used}`)),
      el("div", { class: "team-actions" }, revoke),
      problem,
    );
  }

  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    error.textContent = "";
    const data = new FormData(form);
    try {
      const created = await api("/api-tokens", {
        method: "POST",
        token: token(),
        body: { name: String(data.get("name") || ""), role: String(data.get("role")), scope: String(data.get("scope")) },
      });
      const value = el("input", { type: "text", readonly: "", value: created.token, "data-testid": "api-token-value", "aria-label": t("tok_new_label") });
      const copy = el(
        "button",
        {
          type: "button",
          class: "ghost",
          "data-testid": "api-token-copy",
          onclick: async () => {
            value.select();
            try {
              await navigator.clipboard.writeText(created.token);
              copy.textContent = t("copied");
            } catch {
              copy.textContent = t("select_and_copy");
            }
          },
        },
        t("copy"),
      );
      shown.replaceChildren(
        el("p", { class: "small" }, t("tok_copy_now", { name: created.name })),
        el("div", { class: "team-actions" }, value, copy),
      );
      shown.hidden = false;
      form.reset();
      await render();
    } catch (e) {
      error.textContent = e.message;
    }
  });

  button.addEventListener("click", () => {
    shown.replaceChildren();
    shown.hidden = true;
    dialog.showModal();
    render();
  });
}
