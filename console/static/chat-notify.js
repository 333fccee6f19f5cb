// How the console gets an agent's attention: a sound and a desktop notification for new chats
// and messages, a short toast for errors, a banner for lasting states, and a screen-reader
// announcement (an aria-live region) for messages in chats that are not open.
import { el } from "./parley-client.js";
import { $ } from "./chat-state.js";
import { t } from "./i18n.js";

let audio = null;
function beep() {
  try {
    audio = audio || new AudioContext();
    const osc = audio.createOscillator();
    const gain = audio.createGain();
    osc.frequency.value = 880;
    gain.gain.setValueAtTime(0.12, audio.currentTime);
    gain.gain.exponentialRampToValueAtTime(0.001, audio.currentTime + 0.35);
    osc.connect(gain).connect(audio.destination);
    osc.start();
    osc.stop(audio.currentTime + 0.35);
  } catch {
    /* no sound available */
  }
}

/** A sound, and a desktop notification while the console is in the background. */
export function notify(title, body) {
  beep();
  if (document.hidden && "Notification" in window && Notification.permission === "granted") {
    const n = new Notification(title, { body: String(body).slice(0, 140), tag: "parley" });
    n.onclick = () => window.focus();
  }
}

/** Says `message` to screen readers (the polite live region), without moving focus. */
export function announce(message) {
  const region = $("[data-testid=announcer]");
  if (!region) return;
  region.textContent = "";
  // A fresh text node in a cleared region is announced even when the text repeats.
  requestAnimationFrame(() => (region.textContent = message));
}

export function toast(message) {
  const node = el("div", { class: "toast" }, message);
  $("#toasts").append(node);
  setTimeout(() => node.remove(), 5000);
}

export function banner(message) {
  $("#banner").textContent = message;
  $("#banner").hidden = false;
}

/** The "Turn on notifications" button: asks the browser once, and plays the sound to show it. */
export function setupNotifyButton() {
  $("#notify-btn").addEventListener("click", async () => {
    if ("Notification" in window) await Notification.requestPermission();
    beep();
    const granted = Notification.permission === "granted";
    $("#notify-btn").textContent = t(granted ? "notify_on" : "notify_blocked");
  });
}
