// The first-run page: on an install with no agent at all, /console offers to create the first
// admin (once; the server refuses it ever after, across processes), then signs them in.
import { TOKEN_KEY } from "./parley-client.js";
import { el, form, request } from "./admin-ui.js";

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
    el("h1", {}, "Welcome to Parley"),
    el("p", { class: "muted" }, "Nobody can sign in yet. Create the first admin: you set up the shop, its agents and replies from the Admin page."),
    form({
      testid: "setup-form",
      submit: "Create admin and sign in",
      fields: [
        { name: "site_name", label: "Shop name", value: "My shop" },
        { name: "name", label: "Your name" },
        { name: "email", label: "E-mail", type: "email" },
        { name: "password", label: "Password (at least 8 characters)", type: "password" },
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
