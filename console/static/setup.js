// The first-run page: on an install with no agent at all, /console offers to create the first
// admin (once; the server refuses it ever after, across processes), then signs them in.
import { TOKEN_KEY } from "./parley-client.js";
import { el, form, request } from "./admin-ui.js";
import { t } from "./i18n.js";

async function offer() {
  if (localStorage.getItem(TOKEN_KEY)) return;
  let needed = false;
  try {
    needed = (await request("/setup")).needed;
  } catch {
    return; // the sign-in form stays
  }
  if (!needed) return;
  const box = document.querySelector("#setup");
  document.querySelector("#login").hidden = true;
  box.replaceChildren(el("div", { class: "login-card", "data-testid": "setup" },
    el("h1", {}, t("setup_welcome")),
    el("p", { class: "muted" }, t("setup_intro")),
    form({
      testid: "setup-form",
      submit: t("setup_submit"),
      fields: [
        { name: "site_name", label: t("adm_shop_name"), value: t("setup_default_shop") },
        { name: "name", label: t("setup_your_name") },
        { name: "email", label: t("adm_email"), type: "email" },
        { name: "password", label: t("setup_password"), type: "password" },
      ],
      save: (v) => request("/setup", { method: "POST", body: v }),
      done: (out) => {
        localStorage.setItem(TOKEN_KEY, out.access_token);
        location.href = "/console/admin";
      },
    })));
  box.hidden = false;
}

offer();
