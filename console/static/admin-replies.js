// Saved replies: the team's shared ones and the caller's own, with the shortcut agents type
// after "/". Two replies one agent sees under the same shortcut are flagged: typing it offers
// both, and the wrong one is easily sent. A shared reply may be an FAQ answer, suggested to
// visitors before they leave an offline message (never an agent's own: visitors would see it).
import { el, form, guarded, note, number, problemBox, section } from "./admin-ui.js";
import { t } from "./i18n.js";

export const title = t("adm_nav_replies");

export function collisions(replies) {
  const byShortcut = new Map();
  for (const r of replies) byShortcut.set(r.shortcut.toLowerCase(), [...(byShortcut.get(r.shortcut.toLowerCase()) || []), r]);
  return byShortcut;
}

export async function render(ctx) {
  const replies = (await ctx.api("/saved-replies")).items;
  const skills = (await ctx.api("/skills")).items;
  const skillOptions = [["", t("adm_any_chat")], ...skills.map((s) => [s.name, s.name])];
  const staff = ["admin", "supervisor"].includes(ctx.me.role);
  const rerender = () => dispatchEvent(new HashChangeEvent("hashchange"));
  const same = collisions(replies);

  function row(reply) {
    const shared = reply.shared;
    const others = same.get(reply.shortcut.toLowerCase()).filter((r) => r.id !== reply.id);
    const clash = others.length
      ? el("span", { class: "badge warn", "data-testid": "reply-collision", title: t("adm_collision_title") },
          t("adm_collision", { shortcut: reply.shortcut, others: others.map((o) => `"${o.title}" (${o.shared ? t("adm_shared") : t("adm_personal")})`).join(", ") }))
      : null;
    const editable = !shared || staff;
    const edit = form({
      testid: "reply-edit-form",
      readOnly: !editable,
      fields: [
        { name: "shortcut", label: t("adm_shortcut"), value: reply.shortcut },
        { name: "title", label: t("adm_reply_title"), value: reply.title },
        { name: "body", label: t("adm_reply_text"), type: "textarea", value: reply.body },
        { name: "skill", label: t("adm_offered_first"), type: "select", options: skillOptions, value: reply.skill || "" },
      ],
      save: (v) => ctx.api(`/saved-replies/${reply.id}`, { method: "PATCH", body: { ...v, skill: v.skill || null } }),
      done: rerender,
    });
    const faq = shared ? faqToggle(reply, !staff) : null;
    const problem = problemBox("reply-delete-error");
    const remove = el("button", {
      type: "button", class: "ghost", hidden: !editable, "data-testid": "reply-delete",
      onclick: guarded(problem, async () => {
        if (!confirm(t("adm_reply_delete_confirm", { shortcut: reply.shortcut }))) return;
        await ctx.api(`/saved-replies/${reply.id}`, { method: "DELETE" });
        rerender();
      }),
    }, t("adm_delete"));
    return el("details", { class: "admin-row", "data-testid": "reply-row", "data-shortcut": reply.shortcut, "data-shared": String(shared) },
      el("summary", {}, el("code", {}, `/${reply.shortcut}`), " ", el("strong", {}, reply.title), " ",
        el("span", { class: "muted small" }, [shared ? t("adm_shared") : t("adm_personal"), reply.faq ? t("adm_faq_badge") : "", reply.skill, t("adm_used", { n: number(reply.usage_count) })].filter(Boolean).join(" · ")), " ", clash),
      el("div", { class: "admin-row-body" }, faq, edit, el("div", { class: "form-buttons" }, remove), problem));
  }

  // Saved as soon as it is ticked (one flag, nothing to review first); a refusal unticks it
  // and is shown beside it.
  function faqToggle(reply, readOnly) {
    const box = el("input", { type: "checkbox", "data-testid": "faq-toggle", "data-reply-id": reply.id, disabled: readOnly });
    box.checked = reply.faq;
    const status = el("span", { class: "muted small", "data-testid": "faq-status", "aria-live": "polite" });
    const problem = problemBox("faq-error");
    box.addEventListener("change", guarded(problem, async () => {
      status.textContent = "";
      try {
        await ctx.api(`/saved-replies/${reply.id}`, { method: "PATCH", body: { faq: box.checked } });
      } catch (e) {
        box.checked = !box.checked;
        throw e;
      }
      reply.faq = box.checked;
      status.textContent = t("adm_saved");
    }));
    return el("div", { class: "field faq-row" }, el("label", { class: "check" }, box, " ", t("adm_faq")), " ", status, problem);
  }

  const create = form({
    testid: "new-reply-form",
    submit: t("adm_add_reply"),
    fields: [
      { name: "shortcut", label: t("adm_shortcut_new"), placeholder: "shipping" },
      { name: "title", label: t("adm_reply_title") },
      { name: "body", label: t("adm_reply_text"), type: "textarea" },
      { name: "skill", label: t("adm_offered_first"), type: "select", options: skillOptions, value: "" },
      { name: "shared", label: t("adm_shared_with_team"), type: "checkbox", value: staff, disabled: !staff },
    ],
    save: (v) => ctx.api("/saved-replies", { method: "POST", body: { ...v, skill: v.skill || null } }),
    done: rerender,
  });
  const clashes = [...same.values()].filter((group) => group.length > 1).length;
  return el("div", { class: "admin-grid" },
    section(t("adm_new_reply"), create),
    section(t("adm_nav_replies"),
      note(clashes ? t("adm_clashes", { n: number(clashes) }) : t("adm_replies_note")),
      el("div", { class: "admin-list", "data-testid": "reply-list" }, ...replies.map(row))),
  );
}
