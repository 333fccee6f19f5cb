// The team, for admins: who may sign in, and a new password for someone who lost theirs.
// Every change is the server's to accept; its error is shown beside the agent it concerns.
import { api, el } from "./parley-client.js";

export function setupTeam({ button, dialog, token }) {
  const list = dialog.querySelector("[data-testid=team-list]");

  async function render() {
    list.replaceChildren(el("li", { class: "muted" }, "Loading…"));
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
      placeholder: "New password",
      "aria-label": `New password for ${agent.name}`,
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
      ? el("button", { type: "button", class: "ghost", "data-testid": "team-deactivate", onclick: () => act("deactivate") }, "Deactivate")
      : el("button", { type: "button", class: "ghost", "data-testid": "team-reactivate", onclick: () => act("reactivate") }, "Reactivate");
    const reset = el("button", { type: "button", class: "ghost", "data-testid": "team-reset", onclick: () => act("password", { password: password.value }) }, "Set password");
    return el(
      "li",
      { class: agent.active ? "team-row" : "team-row inactive", "data-testid": "team-row", "data-email": agent.email },
      el("div", {}, el("strong", {}, agent.name), " ", el("span", { class: "muted small" }, `${agent.email} · ${agent.role} · ${agent.active ? agent.status : "deactivated"}`)),
      el("div", { class: "team-actions" }, toggle, password, reset),
      error,
    );
  }

  button.addEventListener("click", () => {
    dialog.showModal();
    render();
  });
}
