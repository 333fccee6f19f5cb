// Signing in and out, and the agent socket's life: it is opened after sign-in, its state is
// shown in the top bar, and a refused token (4401: deactivated, password changed elsewhere)
// returns to the sign-in form. Frames go to the handlers the entry module passes in.
import { AgentSocket, TOKEN_KEY, api } from "./parley-client.js";
import { $, state } from "./chat-state.js";
import { loadReplies } from "./chat-replies.js";
import { t } from "./i18n.js";

export function showLogin(message) {
  $("#app").hidden = true;
  $("#login").hidden = false;
  const err = $("#login-error");
  err.hidden = !message;
  err.textContent = message || "";
  $("#email").focus();
}

function setConnection(up) {
  const c = $("[data-testid=connection]");
  c.textContent = t(up ? "connected" : "reconnecting");
  c.classList.toggle("down", !up);
}

/** The colleagues and skills for the transfer dialog (presence keeps them current). */
export async function loadAgents() {
  try {
    for (const a of (await api("/agents", { token: state.token })).items) state.agents.set(a.id, a);
    state.skills = (await api("/skills", { token: state.token })).items.map((s) => s.name);
  } catch {
    /* the transfer dialog falls back to what presence tells us */
  }
}

/**
 * Wires the sign-in form and the sign-out button, and opens the console at once when this
 * browser holds a token.
 * @param {{onFrame: (f: any) => void, onMessage: (f: any) => void}} handlers
 */
export function setupSession({ onFrame, onMessage }) {
  function start() {
    $("#login").hidden = true;
    $("#app").hidden = false;
    const socket = new AgentSocket(state.token);
    state.socket = socket;
    socket.addEventListener("open", () => setConnection(true));
    socket.addEventListener("close", (ev) => {
      setConnection(false);
      if (/** @type {CustomEvent} */ (ev).detail === 4401) {
        localStorage.removeItem(TOKEN_KEY);
        showLogin(t("session_ended"));
      }
    });
    socket.addEventListener("frame", (ev) => onFrame(/** @type {CustomEvent} */ (ev).detail));
    socket.addEventListener("message", (ev) => onMessage(/** @type {CustomEvent} */ (ev).detail));
    socket.connect();
    loadReplies();
    loadAgents();
  }

  $("#login-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    try {
      const out = await api("/auth/login", {
        method: "POST",
        body: { email: $("#email").value, password: $("#password").value },
      });
      localStorage.setItem(TOKEN_KEY, out.access_token);
      state.token = out.access_token;
      start();
    } catch (e) {
      showLogin(e.status === 401 ? t("wrong_login") : t("login_failed", { reason: e.message }));
    }
  });

  $("[data-testid=logout]").addEventListener("click", () => {
    localStorage.removeItem(TOKEN_KEY);
    if (state.socket) state.socket.stop();
    location.reload();
  });

  if (state.token) start();
  else showLogin();
}
