// @ts-check
/** Header, status line, and which view (pre-chat form or chat) shows. */
import { h } from "../../../client/src/index.js";
import { S, chatOpen, socket, ui } from "../core.js";
import { avatar, safeImage } from "./messages.js";
import { prefill, renderAvailability, renderDepartments } from "./prechat.js";
import { offlineStatus } from "./offline.js";
import { renderSurvey } from "./survey.js";
import { renderTranscript } from "./transcript.js";
import { number, t } from "../i18n.js";
import { replyTimeKey } from "../replytime.js";

let shownLogo = /** @type {string | null} */ (null);

export function renderHeader() {
  if (!ui.panel) return;
  const config = S.config;
  const site = (config && config.site && config.site.name) || t("chat");
  const agent = S.chat && S.chat.agent;
  ui.hdrAvatar.textContent = "";
  // The shop's logo, always; the faces of who is online while no agent has the chat yet.
  const logo = safeImage(config && config.logo_url);
  if (logo !== shownLogo) {
    shownLogo = logo;
    ui.hdrLogo.textContent = "";
    if (logo) {
      const img = h("img", { src: logo, alt: "", decoding: "async", referrerpolicy: "no-referrer" });
      img.addEventListener("error", () => (ui.hdrLogo.hidden = true), { once: true });
      ui.hdrLogo.append(img);
    }
  }
  ui.hdrLogo.hidden = !logo;
  const team = config && Array.isArray(config.team) && config.agents_online !== false ? config.team.filter((/** @type {any} */ a) => a && a.name).slice(0, 3) : [];
  ui.hdrTeam.textContent = "";
  ui.hdrTeam.hidden = !!(agent && agent.name) || team.length === 0;
  if (!ui.hdrTeam.hidden) {
    for (const a of team) ui.hdrTeam.append(avatar(a.name, a.avatar_url, "avatar--face"));
    ui.hdrTeam.append(h("span", { class: "hdr__team-text", text: t("team_online") }));
  }
  // How soon the shop usually answers, while someone can (not once an agent has the chat).
  const replyKey = config && config.available !== false && config.agents_online !== false && !(agent && agent.name) ? replyTimeKey(config.reply_time_s) : null;
  ui.hdrReply.hidden = !replyKey;
  ui.hdrReply.textContent = replyKey ? t(replyKey) : "";
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
  ui.panel.setAttribute("aria-label", t("chat_with", { site }));
  ui.endChat.hidden = !(S.view === "chat" && chatOpen());
  ui.endChat.disabled = S.wantClose;
  if (ui.endChat.hidden) ui.endConfirm.hidden = true;
}

/** @param {{position: number, wait: number}} q */
function queueText(q) {
  const wait = Number(q.wait);
  const about = !isFinite(wait) || wait < 60 ? t("queue_soon") : t("queue_minutes", { n: number(Math.max(1, Math.round(wait / 60))) });
  return t("queue_position", { position: number(q.position), wait: about });
}

export function renderStatus() {
  if (!ui.status) return;
  const chat = S.chat;
  const up = socket.isOpen;
  let text;
  if (chat && chat.status === "closed") text = t("ended");
  else if (chat && chat.status === "offline") text = offlineStatus();
  else if (S.gaveUp) text = t("unavailable");
  else if (!up) text = t(socket.everOpen ? "reconnecting" : "connecting");
  else if (chat && chat.agent && chat.status === "active") text = t("agent_here", { name: chat.agent.name });
  else if (chat && chat.queue && chat.queue.available === false)
    text = t("nobody_for_topic");
  else if (chat && chat.queue && chat.queue.position) text = queueText(chat.queue);
  else if (S.config && S.config.agents_online === false) text = t("offline");
  else text = t("waiting");
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
  ui.composer.placeholder = t(closed ? "ended" : "composer");
  ui.ended.hidden = !closed;
  renderSurvey();
  renderTranscript();
  ui.endChat.hidden = !(S.view === "chat" && chatOpen());
  if (ui.endChat.hidden) ui.endConfirm.hidden = true;
}

/** @param {"prechat" | "chat"} name */
export function showView(name) {
  S.view = name;
  ui.prechat.hidden = name !== "prechat";
  ui.chatView.hidden = name !== "chat";
  ui.panel.classList.toggle("panel--form", name === "prechat");
  if (name === "prechat") {
    prefill();
    renderAvailability();
    renderDepartments();
  }
  renderHeader();
  renderStatus();
  renderComposer();
}
