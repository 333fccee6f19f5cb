// Webhooks: the agent console's webhooks dialog (webhooks.js), hosted here: one editor, opened
// from either place. It is built once per page and reopened.
import { el, note, section } from "./admin-ui.js";
import { t } from "./i18n.js";
import { setupWebhooks } from "./webhooks.js";

export const title = t("adm_nav_webhooks");

let hosted = null;

export async function render(ctx) {
  if (!ctx.admin) return section(t("adm_nav_webhooks"), note(t("adm_admins_only")));
  const button = el("button", { type: "button", class: "primary", "data-testid": "admin-webhooks-open" }, t("adm_webhooks_open"));
  if (!hosted) {
    const webhooks = setupWebhooks({ button, token: () => ctx.token });
    hosted = { webhooks, button };
    await webhooks.signedIn(ctx.me.role);
  } else {
    // webhooks.js listens on the first button it was given: a later one forwards its clicks.
    button.addEventListener("click", () => hosted.button.click());
  }
  return el("div", { class: "admin-grid" }, section(t("adm_nav_webhooks"), note(t("adm_webhooks_note")), el("p", {}, button)));
}
