// Skills (what agents know, what chats need) and the public departments: the topics the
// widget's pre-chat form offers, each routed to one skill under a name visitors understand.
import { clearErrors, el, form, guarded, input, note, problemBox, section, showError, values } from "./admin-ui.js";
import { t } from "./i18n.js";

export const title = t("adm_nav_skills");

export async function render(ctx) {
  const skills = (await ctx.api("/skills")).items;
  const site = await ctx.reloadSite();
  const list = el("ul", { class: "admin-list", "data-testid": "skill-list" }, ...skills.map((s) => {
    const problem = problemBox("skill-delete-error");
    return el("li", { class: "admin-row", "data-testid": "skill-row", "data-name": s.name },
      el("strong", {}, s.name), " ", el("span", { class: "muted small" }, s.description || ""), " ",
      el("button", {
        type: "button", class: "ghost", hidden: !ctx.admin, "data-testid": "skill-delete",
        onclick: guarded(problem, async () => {
          if (!confirm(t("adm_skill_delete_confirm", { name: s.name }))) return;
          await ctx.api(`/skills/${s.id}`, { method: "DELETE" });
          ctx.go("skills"); dispatchEvent(new HashChangeEvent("hashchange"));
        }),
      }, t("adm_delete")), problem);
  }));
  const create = form({
    testid: "new-skill-form",
    readOnly: !ctx.admin,
    submit: t("adm_add_skill"),
    fields: [
      { name: "name", label: t("adm_skill_name"), placeholder: "billing" },
      { name: "description", label: t("adm_description") },
    ],
    save: (v) => ctx.api("/skills", { method: "POST", body: v }),
    done: () => dispatchEvent(new HashChangeEvent("hashchange")),
  });

  // Departments: rows of (skill, label), saved as a whole list.
  const rows = el("div", { "data-testid": "department-rows" });
  const options = [["", t("adm_pick_skill")], ...skills.map((s) => [s.name, s.name])];
  function renumber() {
    [...rows.children].forEach((r, i) => {
      r.dataset.field = `departments.${i}`;
      for (const f of r.querySelectorAll(".field")) {
        f.dataset.field = `departments.${i}.${f.dataset.part}`;
        f.querySelector(":scope > .field-error").dataset.testid = `error-departments-${i}-${f.dataset.part}`;
      }
      for (const c of r.querySelectorAll("[name]")) {
        c.name = `departments.${i}.${c.dataset.part}`;
        c.dataset.testid = `field-departments-${i}-${c.dataset.part}`;
      }
    });
  }
  function addRow(d = { skill: "", label: "" }) {
    const skill = input({ name: "x.skill", label: t("adm_skill"), type: "select", options, value: d.skill, disabled: !ctx.admin });
    const label = input({ name: "x.label", label: t("adm_shown_as"), value: d.label, disabled: !ctx.admin });
    skill.dataset.part = "skill"; skill.querySelector("[name]").dataset.part = "skill";
    label.dataset.part = "label"; label.querySelector("[name]").dataset.part = "label";
    const row = el("div", { class: "field department-row", "data-testid": "department-row" }, skill, label,
      el("button", { type: "button", class: "ghost", hidden: !ctx.admin, onclick: () => { row.remove(); renumber(); } }, t("adm_remove")),
      el("p", { class: "field-error error small", hidden: true }));
    rows.append(row);
    renumber();
  }
  for (const d of site.departments) addRow(d);
  const departments = el("form", { class: "admin-form", "data-testid": "departments-form", novalidate: true },
    rows,
    el("p", { class: "form-error error small", "data-testid": "departments-form-error", hidden: true }),
    el("div", { class: "form-buttons" },
      el("button", { type: "button", class: "ghost", hidden: !ctx.admin, "data-testid": "department-add", onclick: () => addRow() }, t("adm_add_department")),
      el("button", { type: "submit", class: "primary", hidden: !ctx.admin, "data-testid": "departments-form-submit" }, t("adm_save_departments")),
      el("span", { class: "muted small", "aria-live": "polite" })));
  departments.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    clearErrors(departments);
    const said = departments.querySelector(".form-buttons span");
    said.textContent = "";
    const v = values(departments).departments || {};
    const list = Object.keys(v).sort((a, b) => a - b).map((k) => v[k]);
    try {
      await ctx.api(`/sites/${site.id}`, { method: "PATCH", body: { departments: list } });
      said.textContent = t("adm_saved");
    } catch (e) {
      showError(departments, e);
    }
  });

  return el("div", { class: "admin-grid" },
    section(t("adm_skills"), note(t("adm_skills_note")), list, create),
    section(t("adm_departments"), note(t("adm_departments_note")), departments),
  );
}
