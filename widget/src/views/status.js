// @ts-check
/** Header, status line, and which view (pre-chat form or chat) shows. */
import { S, chatOpen, socket, ui } from "../core.js";
import { avatar } from "./messages.js";
import { prefill, renderAvailability, renderDepartments } from "./prechat.js";
import { offlineStatus } from "./offline.js";
import { renderSurvey } from "./survey.js";
import { renderTranscript } from "./transcript.js";

export function renderHeader() {
  if (!ui.panel) return;
  const config = S.config;
  const site = (config && config.site && config.site.name) || "Chat";
  const agent = S.chat && S.chat.agent;
  ui.hdrAvatar.textContent = "";
  if (agent && agent.name) {
    ui.hdrAvatar.append(avatar(agent.name, agent.avatar_url, "avatar--lg"));
    ui.hdrAvatar.hidden = false;
    ui.siteName.hidden = true;
    ui.agentName.hidden = false;
    ui.agentName.textContent = agent.name;
    ui.hdrSub.textContent = site;
  } else {
    ui.hdrAvatar.hidden = true;
    ui.siteName.hidden = false;
    ui.agentName.hidden = true;
    ui.agentName.textContent = "";
    ui.hdrSub.textContent = (config && config.greeting) || "";
  }
  ui.hdrSub.hidden = !ui.hdrSub.textContent;
  ui.siteName.textContent = site;
  ui.panel.setAttribute("aria-label", "Chat with " + site);
  ui.endChat.hidden = !(S.view === "chat" && chatOpen());
  ui.endChat.disabled = S.wantClose;
}

/** @param {{position: number, wait: number}} q */
function queueText(q) {
  const wait = Number(q.wait);
  const about = !isFinite(wait) || wait < 60 ? "less than a minute" : "about " + Math.max(1, Math.round(wait / 60)) + " min";
  return "You are number " + q.position + " in the queue \u2014 " + about;
}

export function renderStatus() {
  if (!ui.status) return;
  const chat = S.chat;
  const up = socket.isOpen;
  let text;
  if (chat && chat.status === "closed") text = "This chat has ended";
  else if (chat && chat.status === "offline") text = offlineStatus();
  else if (S.gaveUp) text = "Chat is unavailable right now";
  else if (!up) text = socket.everOpen ? "Reconnecting\u2026" : "Connecting\u2026";
  else if (chat && chat.agent && chat.status === "active") text = chat.agent.name + " is here to help";
  else if (chat && chat.queue && chat.queue.available === false)
    text = "Nobody who can answer this is online right now. Leave your message; we'll reply as soon as someone is back.";
  else if (chat && chat.queue && chat.queue.position) text = queueText(chat.queue);
  else if (S.config && S.config.agents_online === false) text = "We'll answer as soon as someone is available";
  else text = "Waiting for someone to answer\u2026";
  if (ui.status.textContent !== text) ui.status.textContent = text;
  ui.status.classList.toggle("status--down", !up && !(chat && chat.status === "closed"));
}

/** A passing note in the status line (a file too large, a link that cannot open). @param {string} text */
export function showNotice(text) {
  if (!ui.status) return;
  ui.status.textContent = text;
  setTimeout(renderStatus, 5000);
}

export function renderComposer() {
  if (!ui.composer) return;
  const closed = !!S.chat && S.chat.status === "closed";
  ui.composer.disabled = closed;
  ui.send.disabled = closed;
  if (ui.attach) ui.attach.disabled = closed;
  ui.composer.placeholder = closed ? "This chat has ended" : "Write a message\u2026";
  ui.ended.hidden = !closed;
  renderSurvey();
  renderTranscript();
  ui.endChat.hidden = !(S.view === "chat" && chatOpen());
}

/** @param {"prechat" | "chat"} name */
export function showView(name) {
  S.view = name;
  ui.prechat.hidden = name !== "prechat";
  ui.chatView.hidden = name !== "chat";
  if (name === "prechat") {
    prefill();
    renderAvailability();
    renderDepartments();
  }
  renderHeader();
  renderStatus();
  renderComposer();
}
