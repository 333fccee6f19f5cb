// Sites: this shop's name, look and allowed origins, its logo, the snippet to paste into the
// shop's pages, a live preview of the widget, and opening another shop with its own admin.
import { copyBlock, el, form, input, note, section, showError, clearErrors } from "./admin-ui.js";
import { t } from "./i18n.js";

export const title = t("adm_nav_sites");

export function embedSnippet(siteKey) {
  return `<script src="${location.origin}/widget.js" data-site-key="${siteKey}" async></script>`;
}

function previewUrl(look) {
  const q = new URLSearchParams({ name: look.name || "", color: look.theme_color || "", greeting: look.greeting || "", logo: look.logo_url || "" });
  return `/console/widget-preview?${q}`;
}

export async function render(ctx) {
  const site = await ctx.reloadSite();
  const frame = el("iframe", { class: "preview-frame", title: t("adm_preview_title"), "data-testid": "site-preview", src: previewUrl(site) });
  const look = form({
    testid: "site-form",
    readOnly: !ctx.admin,
    fields: [
      { name: "name", label: t("adm_shop_name"), value: site.name, maxlength: 200 },
      { name: "greeting", label: t("adm_greeting_first"), value: site.greeting, type: "textarea", rows: 2 },
      { name: "theme_color", label: t("adm_colour"), value: site.theme_color, type: "color" },
      { name: "logo_url", label: t("adm_logo_url"), value: site.logo_url || "", placeholder: "https://shop.example/logo.png" },
      { name: "ask_contact", label: t("adm_ask_contact"), type: "select", value: site.ask_contact || "after",
        options: [["after", t("adm_ask_after")], ["before", t("adm_ask_before")], ["never", t("adm_ask_never")]] },
      { name: "allowed_origins", label: t("adm_origins"), value: site.allowed_origins, type: "lines", help: t("adm_origins_help") },
    ],
    save: (v) => ctx.api(`/sites/${site.id}`, { method: "PATCH", body: v }),
    done: async (saved) => {
      Object.assign(site, saved);
      frame.src = previewUrl(saved);
      await ctx.reloadSite();
    },
  });
  // The preview follows the form as it is typed, before anything is saved.
  look.addEventListener("input", () => {
    const data = new FormData(look);
    frame.src = previewUrl({ name: data.get("name"), theme_color: data.get("theme_color"), greeting: data.get("greeting"), logo_url: data.get("logo_url") });
  });

  const logo = el("form", { class: "admin-form", "data-testid": "logo-form" },
    input({ name: "file", label: t("adm_logo_upload"), type: "file", disabled: !ctx.admin }),
    el("p", { class: "form-error error small", hidden: true }),
    el("div", { class: "form-buttons" }, el("button", { type: "submit", "data-testid": "logo-submit", hidden: !ctx.admin }, t("adm_upload"))),
  );
  logo.querySelector("input").setAttribute("accept", "image/png,image/jpeg,image/gif,image/webp");
  logo.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    clearErrors(logo);
    const file = logo.querySelector("input").files[0];
    if (!file) return;
    const data = new FormData();
    data.append("file", file);
    try {
      const saved = await ctx.api(`/sites/${site.id}/logo`, { method: "POST", form: data });
      look.querySelector("[name=logo_url]").value = saved.logo_url || "";
      frame.src = previewUrl(saved);
    } catch (e) {
      showError(logo, e);
    }
  });

  const created = el("div", { "data-testid": "new-site-result" });
  const another = form({
    testid: "new-site-form",
    readOnly: !ctx.admin,
    submit: t("adm_create_shop"),
    saved: t("adm_created"),
    fields: [
      { name: "name", label: t("adm_shop_name"), maxlength: 200 },
      { name: "allowed_origins", label: t("adm_origins_new"), type: "lines" },
      { name: "theme_color", label: t("adm_colour"), type: "color", value: "#0f766e" },
      { name: "greeting", label: t("adm_greeting"), value: t("adm_default_greeting") },
      { name: "admin.name", label: t("adm_its_admin_name") },
      { name: "admin.email", label: t("adm_its_admin_email"), type: "email" },
      { name: "admin.password", label: t("adm_its_admin_password"), type: "password" },
    ],
    save: (v) => ctx.api("/sites", { method: "POST", body: v }),
    done: (shop, node) => {
      const email = node.querySelector("[name='admin.email']").value;
      created.replaceChildren(
        el("p", { "data-testid": "new-site-created" }, t("adm_shop_opened", { shop: shop.name, email, console: `${location.origin}/console` })),
        copyBlock(embedSnippet(shop.site_key), "new-site-snippet"),
      );
      node.reset();
    },
  });

  return el("div", { class: "admin-grid" },
    section(t("adm_this_shop"), look, logo),
    section(t("adm_embed"), note(t("adm_embed_note")), copyBlock(embedSnippet(site.site_key), "embed-snippet"),
      el("p", { class: "muted small" }, t("adm_site_key"), el("code", { "data-testid": "site-key" }, site.site_key))),
    section(t("adm_preview"), note(t("adm_preview_note")), frame),
    section(t("adm_another_shop"), note(t("adm_another_shop_note")), another, created),
  );
}
