// Saved replies: the team's shared ones and the caller's own, with the shortcut agents type
// after "/". Two replies one agent sees under the same shortcut are flagged: typing it offers
// both, and the wrong one is easily sent.
import { el, form, note, section } from "./admin-ui.js";

export const title = "Saved replies";

export function collisions(replies) {
  const byShortcut = new Map();
  for (const r of replies) byShortcut.set(r.shortcut.toLowerCase(), [...(byShortcut.get(r.shortcut.toLowerCase()) || []), r]);
  return byShortcut;
}

export async function render(ctx) {
  const replies = (await ctx.api("/saved-replies")).items;
  const skills = (await ctx.api("/skills")).items;
  const skillOptions = [["", "— any chat —"], ...skills.map((s) => [s.name, s.name])];
  const staff = ["admin", "supervisor"].includes(ctx.me.role);
  const rerender = () => dispatchEvent(new HashChangeEvent("hashchange"));
  const same = collisions(replies);

  function row(reply) {
    const shared = reply.shared;
    const others = same.get(reply.shortcut.toLowerCase()).filter((r) => r.id !== reply.id);
    const clash = others.length
      ? el("span", { class: "badge warn", "data-testid": "reply-collision", title: "Typing this shortcut offers more than one reply" },
          `/${reply.shortcut} is also ${others.map((o) => `"${o.title}" (${o.shared ? "shared" : "personal"})`).join(", ")}`)
      : null;
    const editable = !shared || staff;
    const edit = form({
      testid: "reply-edit-form",
      readOnly: !editable,
      fields: [
        { name: "shortcut", label: "Shortcut", value: reply.shortcut },
        { name: "title", label: "Title", value: reply.title },
        { name: "body", label: "Text ({visitor.name}, {agent.name}, {site.name} are filled in)", type: "textarea", value: reply.body },
        { name: "skill", label: "Offered first in chats of", type: "select", options: skillOptions, value: reply.skill || "" },
      ],
      save: (v) => ctx.api(`/saved-replies/${reply.id}`, { method: "PATCH", body: { ...v, skill: v.skill || null } }),
      done: rerender,
    });
    const remove = el("button", {
      type: "button", class: "ghost", hidden: !editable, "data-testid": "reply-delete",
      onclick: async () => {
        if (!confirm(`Delete /${reply.shortcut}?`)) return;
        await ctx.api(`/saved-replies/${reply.id}`, { method: "DELETE" });
        rerender();
      },
    }, "Delete");
    return el("details", { class: "admin-row", "data-testid": "reply-row", "data-shortcut": reply.shortcut, "data-shared": String(shared) },
      el("summary", {}, el("code", {}, `/${reply.shortcut}`), " ", el("strong", {}, reply.title), " ",
        el("span", { class: "muted small" }, `${shared ? "shared" : "personal"}${reply.skill ? " · " + reply.skill : ""} · used ${reply.usage_count}×`), " ", clash),
      el("div", { class: "admin-row-body" }, edit, el("div", { class: "form-buttons" }, remove)));
  }

  const create = form({
    testid: "new-reply-form",
    submit: "Add reply",
    fields: [
      { name: "shortcut", label: "Shortcut (letters, digits, - and _)", placeholder: "shipping" },
      { name: "title", label: "Title" },
      { name: "body", label: "Text ({visitor.name}, {agent.name}, {site.name} are filled in)", type: "textarea" },
      { name: "skill", label: "Offered first in chats of", type: "select", options: skillOptions, value: "" },
      { name: "shared", label: "Shared with the whole team (supervisors and admins)", type: "checkbox", value: staff, disabled: !staff },
    ],
    save: (v) => ctx.api("/saved-replies", { method: "POST", body: { ...v, skill: v.skill || null } }),
    done: rerender,
  });
  const clashes = [...same.values()].filter((group) => group.length > 1).length;
  return el("div", { class: "admin-grid" },
    section("New saved reply", create),
    section("Saved replies",
      note(clashes ? `${clashes} shortcut(s) lead to more than one reply (flagged below).` : "Agents type / and the shortcut in a chat to insert a reply."),
      el("div", { class: "admin-list", "data-testid": "reply-list" }, ...replies.map(row))),
  );
}
