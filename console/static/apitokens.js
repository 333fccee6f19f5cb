// API tokens, for admins: create one for an integration (its secret is shown once, to copy),
// see when each was last used, revoke one (refused on every server process at once).
import { api, el } from "./parley-client.js";

export function setupApiTokens({ button, dialog, token }) {
  const list = dialog.querySelector("[data-testid=api-tokens-list]");
  const form = dialog.querySelector("[data-testid=api-token-form]");
  const shown = dialog.querySelector("[data-testid=api-token-shown]");
  const error = dialog.querySelector("[data-testid=api-token-error]");

  async function render() {
    list.replaceChildren(el("li", { class: "muted" }, "Loading…"));
    try {
      const tokens = (await api("/api-tokens", { token: token() })).items;
      list.replaceChildren(...(tokens.length ? tokens.map(row) : [el("li", { class: "muted" }, "No API tokens yet.")]));
    } catch (e) {
      list.replaceChildren(el("li", { class: "error" }, e.message));
    }
  }

  function row(t) {
    const problem = el("p", { class: "error small", "aria-live": "polite" });
    const revoke = el(
      "button",
      {
        type: "button",
        class: "ghost",
        "data-testid": "api-token-revoke",
        onclick: async () => {
          if (!confirm(`Revoke "${t.name}"? Integrations using it stop working at once.`)) return;
          problem.textContent = "";
          try {
            await api(`/api-tokens/${t.id}`, { method: "DELETE", token: token() });
            await render();
          } catch (e) {
            problem.textContent = e.message;
          }
        },
      },
      "Revoke",
    );
    const used = t.last_used_at ? `last used ${new Date(t.last_used_at).toLocaleString()}` : "never used";
    return el(
      "li",
      { class: "team-row", "data-testid": "api-token-row", "data-name": t.name },
      el("div", {}, el("strong", {}, t.name), " ", el("span", { class: "muted small" }, `${t.role} · ${t.scope} · ${used}`)),
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
      const value = el("input", { type: "text", readonly: "", value: created.token, "data-testid": "api-token-value", "aria-label": "The new API token" });
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
              copy.textContent = "Copied";
            } catch {
              copy.textContent = "Select and copy";
            }
          },
        },
        "Copy",
      );
      shown.replaceChildren(
        el("p", { class: "small" }, `Copy the token for "${created.name}" now: it is not shown again.`),
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
