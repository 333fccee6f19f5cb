// Agents: create one (with a first password to hand over), change role, skills and capacity,
// deactivate or reactivate, set a new password. Deactivation and a new password sign the
// agent out everywhere at once.
import { el, form, guarded, note, number, problemBox, section } from "./admin-ui.js";
import { t } from "./i18n.js";

export const title = t("adm_nav_agents");
const ROLES = [["agent", t("adm_role_agent")], ["supervisor", t("adm_role_supervisor")], ["admin", t("adm_brand")]];

const roleName = (role) => (ROLES.find(([r]) => r === role) || [role, role])[1];
const STATUS = { online: t("adm_status_online"), busy: t("adm_status_busy"), away: t("adm_status_away"), offline: t("adm_status_offline") };

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
        { name: "name", label: t("adm_name"), value: agent.name },
        { name: "role", label: t("adm_role"), type: "select", options: ROLES, value: agent.role },
        { name: "skills", label: t("adm_skills_csv"), type: "csv", value: agent.skills, list: "known-skills" },
        { name: "max_chats", label: t("adm_max_chats"), type: "number", value: agent.max_chats, min: 1, max: 50 },
      ],
      save: (v) => ctx.api(`/agents/${agent.id}`, { method: "PATCH", body: v }),
      done: refresh,
    });
    const password = form({
      testid: "agent-password-form",
      readOnly: !ctx.admin,
      submit: t("adm_set_password"),
      saved: t("adm_password_set"),
      fields: [{ name: "password", label: t("adm_new_password"), type: "password" }],
      save: (v) => ctx.api(`/agents/${agent.id}/password`, { method: "POST", body: v }),
    });
    const problem = problemBox("agent-action-error");
    const toggle = el("button", {
      type: "button",
      class: "ghost",
      hidden: !ctx.admin,
      "data-testid": agent.active ? "agent-deactivate" : "agent-reactivate",
      onclick: guarded(problem, async () => {
        await ctx.api(`/agents/${agent.id}/${agent.active ? "deactivate" : "reactivate"}`, { method: "POST" });
        await refresh();
      }),
    }, agent.active ? t("adm_deactivate") : t("adm_reactivate"));
    return el("details", { class: agent.active ? "admin-row" : "admin-row inactive", "data-testid": "agent-row", "data-email": agent.email },
      el("summary", {}, el("strong", {}, agent.name), " ",
        el("span", { class: "muted small" }, [agent.email, roleName(agent.role), agent.skills.join(", ") || t("adm_no_skills"), t("adm_at_once", { n: number(agent.max_chats) }),
          agent.active ? STATUS[agent.status] || agent.status : t("adm_deactivated")].join(" · "))),
      el("div", { class: "admin-row-body" }, settings, password, el("div", { class: "form-buttons" }, toggle), problem),
    );
  }

  list.replaceChildren(...agents.items.map(row));
  const create = form({
    testid: "new-agent-form",
    readOnly: !ctx.admin,
    submit: t("adm_create_agent"),
    saved: t("adm_agent_created"),
    fields: [
      { name: "name", label: t("adm_name") },
      { name: "email", label: t("adm_email"), type: "email" },
      { name: "password", label: t("adm_first_password"), type: "password" },
      { name: "role", label: t("adm_role"), type: "select", options: ROLES, value: "agent" },
      { name: "skills", label: t("adm_skills_csv"), type: "csv", list: "known-skills" },
      { name: "max_chats", label: t("adm_max_chats"), type: "number", value: 3, min: 1, max: 50 },
    ],
    save: (v) => ctx.api("/agents", { method: "POST", body: v }),
    done: async (_, node) => {
      node.reset();
      await refresh();
    },
  });
  return el("div", { class: "admin-grid" }, known,
    section(t("adm_new_agent"), create),
    section(t("adm_team"), note(t("adm_team_note")), list),
  );
}
