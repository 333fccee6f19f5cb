// Privacy: how long closed chats are kept (PUT /privacy/retention), as an admin form whose
// refusal shows beside the field, and the audit log in the agent console's privacy dialog
// (privacy.js), hosted here. Erasing a visitor stays in the chat view, beside that visitor.
import { el, form, note, section } from "./admin-ui.js";
import { t } from "./i18n.js";
import { setupPrivacy } from "./privacy.js";

export const title = t("adm_nav_privacy");

let hosted = null;

export async function render(ctx) {
  if (!ctx.admin) return section(t("adm_nav_privacy"), note(t("adm_admins_only")));
  const kept = await ctx.api("/privacy/retention");
  const said = el("p", { class: "small", "data-testid": "admin-retention-now", "aria-live": "polite" });
  const tell = (days) => (said.textContent = days ? t("adm_retention_days", { n: days }) : t("adm_retention_forever"));
  tell(kept.days);
  const retention = form({
    testid: "retention-admin-form",
    fields: [{ name: "days", label: t("adm_retention_label"), type: "number", value: kept.days, min: 1, max: 3650, placeholder: t("adm_retention_placeholder") }],
    save: (v) => ctx.api("/privacy/retention", { method: "PUT", body: { days: v.days } }),
    done: (out) => tell(out.days),
  });
  const button = el("button", { type: "button", "data-testid": "admin-audit-open" }, t("adm_audit_open"));
  if (!hosted) {
    hosted = { button };
    const privacy = setupPrivacy({ button, actions: el("div", { hidden: true }), token: () => ctx.token, onErased: () => {} });
    privacy.setAdmin(true);
  } else {
    button.addEventListener("click", () => hosted.button.click());
  }
  return el("div", { class: "admin-grid" },
    section(t("adm_retention"), note(t("adm_retention_note")), said, retention),
    section(t("adm_audit"), note(t("adm_audit_note")), el("p", {}, button)),
  );
}
