// Sites: this shop's name, look and allowed origins, its logo, the snippet to paste into the
// shop's pages, a live preview of the widget, and opening another shop with its own admin.
import { copyBlock, el, form, input, note, section, showError, clearErrors } from "./admin-ui.js";

export const title = "Sites";

export function embedSnippet(siteKey) {
  return `<script src="${location.origin}/widget.js" data-site-key="${siteKey}" async></script>`;
}

function previewUrl(look) {
  const q = new URLSearchParams({ name: look.name || "", color: look.theme_color || "", greeting: look.greeting || "", logo: look.logo_url || "" });
  return `/console/widget-preview?${q}`;
}

export async function render(ctx) {
  const site = await ctx.reloadSite();
  const frame = el("iframe", { class: "preview-frame", title: "Widget preview", "data-testid": "site-preview", src: previewUrl(site) });
  const look = form({
    testid: "site-form",
    readOnly: !ctx.admin,
    fields: [
      { name: "name", label: "Shop name", value: site.name, maxlength: 200 },
      { name: "greeting", label: "Greeting (the widget's first line)", value: site.greeting, type: "textarea", rows: 2 },
      { name: "theme_color", label: "Colour", value: site.theme_color, type: "color" },
      { name: "logo_url", label: "Logo address (https) — or upload one below", value: site.logo_url || "", placeholder: "https://shop.example/logo.png" },
      { name: "allowed_origins", label: "Allowed origins (one a line; empty allows any)", value: site.allowed_origins, type: "lines", help: "The shop's addresses, like https://shop.example — the widget refuses to start anywhere else." },
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
    input({ name: "file", label: "Upload a logo (PNG, JPEG, GIF or WebP, at most 256 KB)", type: "file", disabled: !ctx.admin }),
    el("p", { class: "form-error error small", hidden: true }),
    el("div", { class: "form-buttons" }, el("button", { type: "submit", "data-testid": "logo-submit", hidden: !ctx.admin }, "Upload")),
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
    submit: "Create shop",
    saved: "Created.",
    fields: [
      { name: "name", label: "Shop name", maxlength: 200 },
      { name: "allowed_origins", label: "Allowed origins (one a line)", type: "lines" },
      { name: "theme_color", label: "Colour", type: "color", value: "#0f766e" },
      { name: "greeting", label: "Greeting", value: "Questions? We're here to help." },
      { name: "admin.name", label: "Its admin's name" },
      { name: "admin.email", label: "Its admin's e-mail", type: "email" },
      { name: "admin.password", label: "Its admin's first password (at least 8 characters)", type: "password" },
    ],
    save: (v) => ctx.api("/sites", { method: "POST", body: v }),
    done: (shop, node) => {
      const email = node.querySelector("[name='admin.email']").value;
      created.replaceChildren(
        el("p", { "data-testid": "new-site-created" }, `"${shop.name}" is open. ${email} signs in at ${location.origin}/console to set it up; its pages embed:`),
        copyBlock(embedSnippet(shop.site_key), "new-site-snippet"),
      );
      node.reset();
    },
  });

  return el("div", { class: "admin-grid" },
    section("This shop", look, logo),
    section("Embed", note("Paste this before </body> on every page of the shop."), copyBlock(embedSnippet(site.site_key), "embed-snippet"),
      el("p", { class: "muted small" }, "Site key: ", el("code", { "data-testid": "site-key" }, site.site_key))),
    section("Preview", note("How the widget greets visitors with these settings."), frame),
    section("Open another shop", note("A new site with its own admin, who sets up its agents, replies and routing. Each shop sees only its own chats."), another, created),
  );
}
