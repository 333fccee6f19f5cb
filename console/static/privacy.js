// Data protection, for admins: export everything held about the visitor of the open chat, erase
// them (after typing ERASE), read the audit log and set how long chats are kept (docs/privacy.md).
import { api, el } from "./parley-client.js";
import { language, t } from "./i18n.js";

const CONFIRM_WORD = "ERASE";
const numbers = new Intl.NumberFormat(language());

export function setupPrivacy({ button, actions, token, onErased }) {
  let admin = false;
  let visitor = null; // { id, name }

  // ---------------------------------------------------------------- erase dialog
  // The word to type stays ERASE in every language: it is a deliberate act, not a sentence.
  const typed = el("input", { id: "erase-confirm", type: "text", autocomplete: "off", "data-testid": "erase-confirm" });
  const eraseError = el("p", { class: "error small", "aria-live": "polite" });
  const eraseWho = el("p", {});
  const eraseGo = el("button", { type: "button", class: "primary danger", "data-testid": "erase-go", disabled: true }, t("priv_erase"));
  const eraseDialog = el(
    "dialog",
    { "data-testid": "erase-dialog", class: "privacy-dialog", "aria-labelledby": "erase-title" },
    el("h3", { id: "erase-title" }, t("priv_erase")),
    eraseWho,
    el("p", { class: "small" }, t("priv_erase_what")),
    el("label", { for: "erase-confirm" }, t("priv_type_to_confirm", { word: CONFIRM_WORD })),
    typed,
    eraseError,
    el(
      "div",
      { class: "dialog-buttons" },
      el("button", { type: "button", class: "ghost", onclick: () => eraseDialog.close() }, t("cancel")),
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
  const days = el("input", { id: "retention-days", type: "number", min: "1", max: "3650", placeholder: t("priv_forever"), "data-testid": "retention-days" });
  const retentionNote = el("p", { class: "small", "aria-live": "polite", "data-testid": "retention-note" });
  const retentionForm = el(
    "form",
    { "data-testid": "retention-form" },
    el("label", { for: "retention-days" }, t("priv_retention")),
    el("div", { class: "team-actions" }, days, el("button", { type: "submit", class: "primary" }, t("save"))),
    retentionNote,
  );
  const dialog = el(
    "dialog",
    { "data-testid": "privacy-dialog", class: "privacy-dialog wide", "aria-labelledby": "privacy-title" },
    el("h3", { id: "privacy-title" }, t("privacy")),
    retentionForm,
    el("h4", {}, t("priv_audit")),
    list,
    el("form", { method: "dialog", class: "dialog-buttons" }, el("button", { class: "ghost" }, t("close"))),
  );
  document.body.append(eraseDialog, dialog);

  retentionForm.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const value = days.value.trim() === "" ? null : Number(days.value);
    try {
      const out = await api("/privacy/retention", { method: "PUT", token: token(), body: { days: value } });
      retentionNote.textContent = out.days ? t("priv_deleted_after", { n: out.days }) : t("priv_kept");
      retentionNote.className = "small";
      await renderLog();
    } catch (e) {
      retentionNote.textContent = e.message;
      retentionNote.className = "small error";
    }
  });

  function describe(entry) {
    const counts = Object.entries(entry.counts || {})
      .map(([k, v]) => `${numbers.format(v)} ${k.replaceAll("_", " ")}`)
      .join(", ");
    const who =
      entry.actor_type === "system"
        ? t("priv_retention_job")
        : `${entry.actor_name || entry.actor_id || "?"}${entry.actor_type === "api_token" ? ` (${t("priv_api_token")})` : ""}`;
    const what = {
      "visitor.erased": t("priv_erased", { id: entry.visitor_id }),
      "visitor.exported": t("priv_exported", { id: entry.visitor_id }),
      "retention.purged": t("priv_purged"),
      "retention.changed": entry.counts && entry.counts.days ? t("priv_set_retention") : t("priv_retention_off"),
    }[entry.action] || entry.action;
    return el(
      "li",
      { class: "team-row", "data-testid": "audit-entry", "data-action": entry.action },
      el("div", {}, el("strong", {}, who), " ", what),
      el("div", { class: "muted small" }, `${new Date(entry.at).toLocaleString(language())}${counts ? " · " + counts : ""}`),
    );
  }

  async function renderLog() {
    list.replaceChildren(el("li", { class: "muted" }, t("loading")));
    try {
      const items = (await api("/audit-log?limit=100", { token: token() })).items;
      list.replaceChildren(...(items.length ? items.map(describe) : [el("li", { class: "muted" }, t("priv_nothing"))]));
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
      el("h4", {}, t("priv_data_protection")),
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
          t("priv_export"),
        ),
        el(
          "button",
          {
            type: "button",
            class: "ghost danger",
            "data-testid": "erase-visitor",
            onclick: () => {
              eraseWho.textContent = t("priv_erase_who", { name: visitor.name || t("priv_this_visitor"), id: visitor.id });
              typed.value = "";
              eraseGo.disabled = true;
              eraseError.textContent = "";
              eraseDialog.showModal();
              typed.focus();
            },
          },
          t("priv_erase_ellipsis"),
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
