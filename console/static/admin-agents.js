// Agents: create one (with a first password to hand over), change role, skills and capacity,
// deactivate or reactivate, set a new password. Deactivation and a new password sign the
// agent out everywhere at once.
import { el, form, note, section } from "./admin-ui.js";

export const title = "Agents";
const ROLES = [["agent", "Agent"], ["supervisor", "Supervisor"], ["admin", "Admin"]];

export async function render(ctx) {
  const [agents, skills] = await Promise.all([ctx.api("/agents"), ctx.api("/skills")]);
  const known = el("datalist", { id: "known-skills" }, ...skills.items.map((s) => el("option", { value: s.name })));
  const list = el("div", { class: "admin-list", "data-testid": "agent-list" });
  const refresh = async () => {
    const fresh = await ctx.api("/agents");
    list.replaceChildren(...fresh.items.map(row));
  };

  function row(agent) {
    const settings = form({
      testid: "agent-form",
      readOnly: !ctx.admin,
      fields: [
        { name: "name", label: "Name", value: agent.name },
        { name: "role", label: "Role", type: "select", options: ROLES, value: agent.role },
        { name: "skills", label: "Skills (comma separated)", type: "csv", value: agent.skills, list: "known-skills" },
        { name: "max_chats", label: "Chats at once", type: "number", value: agent.max_chats, min: 1, max: 50 },
      ],
      save: (v) => ctx.api(`/agents/${agent.id}`, { method: "PATCH", body: v }),
      done: refresh,
    });
    const password = form({
      testid: "agent-password-form",
      readOnly: !ctx.admin,
      submit: "Set password",
      saved: "Password set; the agent was signed out.",
      fields: [{ name: "password", label: "New password", type: "password" }],
      save: (v) => ctx.api(`/agents/${agent.id}/password`, { method: "POST", body: v }),
    });
    const toggle = el("button", {
      type: "button",
      class: "ghost",
      hidden: !ctx.admin,
      "data-testid": agent.active ? "agent-deactivate" : "agent-reactivate",
      onclick: async () => {
        try {
          await ctx.api(`/agents/${agent.id}/${agent.active ? "deactivate" : "reactivate"}`, { method: "POST" });
          await refresh();
        } catch (e) {
          alert(e.message);
        }
      },
    }, agent.active ? "Deactivate" : "Reactivate");
    return el("details", { class: agent.active ? "admin-row" : "admin-row inactive", "data-testid": "agent-row", "data-email": agent.email },
      el("summary", {}, el("strong", {}, agent.name), " ",
        el("span", { class: "muted small" }, `${agent.email} · ${agent.role} · ${agent.skills.join(", ") || "no skills"} · ${agent.max_chats} at once · ${agent.active ? agent.status : "deactivated"}`)),
      el("div", { class: "admin-row-body" }, settings, password, el("div", { class: "form-buttons" }, toggle)),
    );
  }

  list.replaceChildren(...agents.items.map(row));
  const create = form({
    testid: "new-agent-form",
    readOnly: !ctx.admin,
    submit: "Create agent",
    saved: "Created. Hand the e-mail and password to the agent; they sign in at /console.",
    fields: [
      { name: "name", label: "Name" },
      { name: "email", label: "E-mail", type: "email" },
      { name: "password", label: "First password (at least 8 characters)", type: "password" },
      { name: "role", label: "Role", type: "select", options: ROLES, value: "agent" },
      { name: "skills", label: "Skills (comma separated)", type: "csv", list: "known-skills" },
      { name: "max_chats", label: "Chats at once", type: "number", value: 3, min: 1, max: 50 },
    ],
    save: (v) => ctx.api("/agents", { method: "POST", body: v }),
    done: async (_, node) => {
      node.reset();
      await refresh();
    },
  });
  return el("div", { class: "admin-grid" }, known,
    section("New agent", create),
    section("Team", note("Open an agent to change them. Deactivating signs them out everywhere at once and sends their open chats back to the queue."), list),
  );
}
