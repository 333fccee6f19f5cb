// The agent's own profile, as visitors see it: display name and photo (shown in the top bar),
// and a password change, after which every other session of the agent ends.
import { TOKEN_KEY, api } from "./parley-client.js";
import { $, state } from "./chat-state.js";
import { toast } from "./chat-notify.js";
import { t } from "./i18n.js";

export function renderMe() {
  $("#me-name").textContent = state.me.name;
  $("#me-avatar").hidden = !state.me.avatar_url;
  if (state.me.avatar_url) $("#me-avatar").src = state.me.avatar_url;
}

export function setupProfile() {
  $("[data-testid=profile]").addEventListener("click", () => {
    if (!state.me) return;
    $("[data-testid=profile-name]").value = state.me.name;
    $("#profile-photo").hidden = !state.me.avatar_url;
    $("#profile-photo").alt = t("profile_photo_alt");
    if (state.me.avatar_url) $("#profile-photo").src = state.me.avatar_url;
    $("[data-testid=profile-file]").value = "";
    $("[data-testid=profile-current-password]").value = "";
    $("[data-testid=profile-new-password]").value = "";
    $("#profile-dialog").showModal();
  });

  $("#profile-dialog").addEventListener("close", async () => {
    if ($("#profile-dialog").returnValue !== "ok") return;
    try {
      const name = $("[data-testid=profile-name]").value.trim();
      if (name && name !== state.me.name) {
        Object.assign(state.me, await api("/agents/me", { method: "PATCH", token: state.token, body: { name } }));
      }
      const file = $("[data-testid=profile-file]").files[0];
      if (file) {
        const form = new FormData();
        form.append("file", file);
        Object.assign(state.me, await api("/agents/me/avatar", { method: "POST", token: state.token, form }));
      }
      const current = $("[data-testid=profile-current-password]").value;
      const next = $("[data-testid=profile-new-password]").value;
      if (current || next) {
        // Every other session of this agent ends; this one carries on with the fresh token.
        const out = await api("/agents/me/password", { method: "POST", token: state.token, body: { current_password: current, new_password: next } });
        localStorage.setItem(TOKEN_KEY, out.access_token);
        state.token = out.access_token;
        toast(t("password_changed"));
      }
      renderMe();
      toast(t("profile_saved"));
    } catch (e) {
      toast(e.message);
    }
  });
}
