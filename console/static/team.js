// The team, for admins: who may sign in, and a new password for someone who lost theirs.
// Every change is the server's to accept; its error is shown beside the agent it concerns.
import { api, el } from "./parley-client.js";
import { t } from "./i18n.js";

export function setupTeam({ button, dialog, token }) {
  const list = dialog.querySelector("[data-testid=team-list]");

  async function render() {
    list.replaceChildren(el("li", { class: "muted" }, t("loading")));
    try {
      const agents = (await api("/agents", { token: token() })).items;
      list.replaceChildren(...agents.map(row));
    } catch (e) {
      list.replaceChildren(el("li", { class: "error" }, e.message));
    }
  }

  function row(agent) {
    const error = el("p", { class: "error small", "data-testid": "team-error", "aria-live": "polite" });
    const password = el("input", {
      type: "password",
      autocomplete: "new-password",
      minlength: "8",
      placeholder: t("team_new_password"),
      "aria-label": t("team_new_password_for", { name: agent.name }),
      "data-testid": "team-password",
    });
    const act = async (path, body) => {
      error.textContent = "";
      try {
        await api(`/agents/${agent.id}/${path}`, { method: "POST", token: token(), body });
        await render();
      } catch (e) {
        error.textContent = e.message;
      }
    };
    const toggle = agent.active
      ? el("button", { type: "button", class: "ghost", "data-testid": "team-deactivate", onclick: () => act("deactivate") }, t("team_deactivate"))
      : el("button", { type: "button", class: "ghost", "data-testid": "team-reactivate", onclick: () => act("reactivate") }, t("team_reactivate"));
    const reset = el("button", { type: "button", class: "ghost", "data-testid": "team-reset", onclick: () => act("password", { password: password.value }) }, t("team_set_password"));
    return el(
      "li",
      { class: agent.active ? "team-row" : "team-row inactive", "data-testid": "team-row", "data-email": agent.email },
      el("div", {}, el("strong", {}, agent.name), " ", el("span", { class: "muted small" }, `${agent.email} · ${t(`adm_role_${agent.role}`)} · ${agent.active ? t(`adm_status_${agent.status}`) : t("adm_deactivated")}`)),
      el("div", { class: "team-actions" }, toggle, password, reset),
      error,
    );
  }

  button.addEventListener("click", () => {
    dialog.showModal();
    render();
  });
}
