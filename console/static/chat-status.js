// The agent's own status (online, busy, away): the switch in the top bar with its coloured dot,
// what the server says of it (an idle console is set away), and the "someone is here" signal
// that keeps an active console online.
import { $, state } from "./chat-state.js";
import { banner } from "./chat-notify.js";
import { t } from "./i18n.js";

const select = () => /** @type {HTMLSelectElement} */ ($("[data-testid=status-select]"));

/** Shows `status` in the switch (offline, as before sign-in finishes, shows as online). */
export function showStatus(status) {
  const value = status === "offline" ? "online" : status;
  select().value = value;
  $("#status-switch").dataset.status = value;
}

/** A presence.update: a colleague's status for the transfer dialog, or our own. */
export function onPresence(f) {
  const a = state.agents.get(f.agent_id);
  if (a) Object.assign(a, { status: f.status, active_chats: f.active_chats });
  if (state.me && f.agent_id === state.me.id) {
    state.me.status = f.status;
    showStatus(f.status);
    if (f.status === "online") $("#banner").hidden = true;
    if (f.reason === "idle") banner(t("idle_banner"));
  }
}

// Tell the server (at most once a minute) that someone is at the console, so they stay online.
function markActive() {
  const now = Date.now();
  if (now - state.lastActivity > 60000 && state.socket && state.socket.open) {
    state.lastActivity = now;
    state.socket.send({ type: "activity" });
  }
}

export function setupStatus() {
  select().addEventListener("change", () => {
    $("#status-switch").dataset.status = select().value;
    state.socket.send({ type: "presence.set", status: select().value });
    $("#banner").hidden = true;
  });
  document.addEventListener("keydown", markActive);
  document.addEventListener("mousedown", markActive);
}
