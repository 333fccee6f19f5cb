// Data protection, for admins: export everything held about the visitor of the open chat, erase
// them (after typing ERASE), read the audit log and set how long chats are kept (docs/privacy.md).
import { api, el } from "./parley-client.js";

const CONFIRM_WORD = "ERASE";

export function setupPrivacy({ button, actions, token, onErased }) {
  let admin = false;
  let visitor = null; // { id, name }

  // ---------------------------------------------------------------- erase dialog
  const typed = el("input", { type: "text", autocomplete: "off", "data-testid": "erase-confirm", "aria-label": `Type ${CONFIRM_WORD} to confirm` });
  const eraseError = el("p", { class: "error small", "aria-live": "polite" });
  const eraseWho = el("p", {});
  const eraseGo = el("button", { type: "button", class: "primary danger", "data-testid": "erase-go", disabled: true }, "Erase visitor");
  const eraseDialog = el(
    "dialog",
    { "data-testid": "erase-dialog", class: "privacy-dialog" },
    el("h3", {}, "Erase visitor"),
    eraseWho,
    el(
      "p",
      { class: "small" },
      "Their chats (with every message, whisper and note), files, pages, events, invitations, surveys and e-mails are deleted for good. The audit log records that you did it, not what was deleted.",
    ),
    el("label", {}, `Type ${CONFIRM_WORD} to confirm`),
    typed,
    eraseError,
    el(
      "div",
      { class: "dialog-buttons" },
      el("button", { type: "button", class: "ghost", onclick: () => eraseDialog.close() }, "Cancel"),
      eraseGo,
    ),
  );
  typed.addEventListener("input", () => {
    eraseGo.disabled = typed.value.trim() !== CONFIRM_WORD;
  });
  eraseGo.addEventListener("click", async () => {
    if (!visitor || typed.value.trim() !== CONFIRM_WORD) return;
    eraseError.textContent = "";
    eraseGo.disabled = true;
    const gone = visitor.id;
    try {
      await api(`/visitors/${gone}`, { method: "DELETE", token: token() });
      eraseDialog.close();
      onErased(gone);
    } catch (e) {
      eraseError.textContent = e.message;
      eraseGo.disabled = false;
    }
  });

  // ---------------------------------------------------------------- audit log and retention
  const list = el("ul", { class: "team-list", "data-testid": "audit-log" });
  const days = el("input", { type: "number", min: "1", max: "3650", placeholder: "keep forever", "data-testid": "retention-days", "aria-label": "Days to keep chats" });
  const retentionNote = el("p", { class: "small", "aria-live": "polite", "data-testid": "retention-note" });
  const retentionForm = el(
    "form",
    { "data-testid": "retention-form" },
    el("label", {}, "Delete closed chats older than (days)"),
    el("div", { class: "team-actions" }, days, el("button", { type: "submit", class: "primary" }, "Save")),
    retentionNote,
  );
  const dialog = el(
    "dialog",
    { "data-testid": "privacy-dialog", class: "privacy-dialog wide" },
    el("h3", {}, "Privacy"),
    retentionForm,
    el("h4", {}, "Audit log"),
    list,
    el("form", { method: "dialog", class: "dialog-buttons" }, el("button", { class: "ghost" }, "Close")),
  );
  document.body.append(eraseDialog, dialog);

  retentionForm.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const value = days.value.trim() === "" ? null : Number(days.value);
    try {
      const out = await api("/privacy/retention", { method: "PUT", token: token(), body: { days: value } });
      retentionNote.textContent = out.days ? `Closed chats are deleted after ${out.days} days.` : "Chats are kept until erased.";
      retentionNote.className = "small";
      await renderLog();
    } catch (e) {
      retentionNote.textContent = e.message;
      retentionNote.className = "small error";
    }
  });

  function describe(entry) {
    const counts = Object.entries(entry.counts || {})
      .map(([k, v]) => `${v} ${k.replaceAll("_", " ")}`)
      .join(", ");
    const who = entry.actor_type === "system" ? "Retention job" : `${entry.actor_name || entry.actor_id || "?"}${entry.actor_type === "api_token" ? " (API token)" : ""}`;
    const what = {
      "visitor.erased": `erased visitor ${entry.visitor_id}`,
      "visitor.exported": `exported visitor ${entry.visitor_id}`,
      "retention.purged": "deleted old chats",
      "retention.changed": entry.counts && entry.counts.days ? "set the retention period" : "turned retention off",
    }[entry.action] || entry.action;
    return el(
      "li",
      { class: "team-row", "data-testid": "audit-entry", "data-action": entry.action },
      el("div", {}, el("strong", {}, who), " ", what),
      el("div", { class: "muted small" }, `${new Date(entry.at).toLocaleString()}${counts ? " · " + counts : ""}`),
    );
  }

  async function renderLog() {
    list.replaceChildren(el("li", { class: "muted" }, "Loading…"));
    try {
      const items = (await api("/audit-log?limit=100", { token: token() })).items;
      list.replaceChildren(...(items.length ? items.map(describe) : [el("li", { class: "muted" }, "Nothing recorded yet.")]));
    } catch (e) {
      list.replaceChildren(el("li", { class: "error" }, e.message));
    }
  }

  button.addEventListener("click", async () => {
    dialog.showModal();
    retentionNote.textContent = "";
    renderLog();
    try {
      const out = await api("/privacy/retention", { token: token() });
      days.value = out.days == null ? "" : String(out.days);
    } catch (e) {
      retentionNote.textContent = e.message;
    }
  });

  // ---------------------------------------------------------------- visitor panel actions
  async function exportData() {
    if (!visitor) return;
    const data = await api(`/visitors/${visitor.id}/export`, { token: token() });
    const blob = new Blob([JSON.stringify(data, null, 2)], { type: "application/json" });
    const link = el("a", { href: URL.createObjectURL(blob), download: `visitor-${visitor.id}.json` });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
  }

  function render() {
    actions.hidden = !admin || !visitor;
    if (actions.hidden) return;
    const problem = el("p", { class: "error small", "aria-live": "polite" });
    actions.replaceChildren(
      el("h4", {}, "Data protection"),
      el(
        "div",
        { class: "team-actions" },
        el(
          "button",
          {
            type: "button",
            class: "ghost",
            "data-testid": "export-visitor",
            onclick: () => exportData().catch((e) => (problem.textContent = e.message)),
          },
          "Export data",
        ),
        el(
          "button",
          {
            type: "button",
            class: "ghost danger",
            "data-testid": "erase-visitor",
            onclick: () => {
              eraseWho.textContent = `Erase ${visitor.name || "this visitor"} (${visitor.id}) and everything of theirs?`;
              typed.value = "";
              eraseGo.disabled = true;
              eraseError.textContent = "";
              eraseDialog.showModal();
              typed.focus();
            },
          },
          "Erase visitor…",
        ),
      ),
      problem,
    );
  }

  return {
    setAdmin(isAdmin) {
      admin = isAdmin;
      button.hidden = !isAdmin;
      render();
    },
    showFor(v) {
      if (visitor && v && visitor.id === v.id && !actions.hidden) return;
      visitor = v;
      render();
    },
  };
}
