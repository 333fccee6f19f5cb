// @ts-check
/** The message list: messages in seq order, our unconfirmed ones at the end, grouped by author. */
import { h, uuid } from "../../../client/src/index.js";
import { attachmentEl } from "../attachments.js";
import { S, chatOpen, ensureSocket, socket, ui } from "../core.js";
import { flush } from "../outgoing.js";
import { dateFormat, relativeFormat, t } from "../i18n.js";
import { timeAgo } from "../text.js";

/** @param {string} name */
function initials(name) {
  const parts = String(name || "").trim().split(/\s+/).filter(Boolean).slice(0, 2);
  return parts.map((p) => Array.from(p)[0]).join("").toUpperCase() || "?";
}

/** An image address we are willing to load (http(s) or data:image), else null. @param {unknown} url */
export function safeImage(url) {
  if (typeof url !== "string" || !url) return null;
  if (/^data:image\//i.test(url)) return url;
  try {
    const u = new URL(url, S.base);
    return u.protocol === "https:" || u.protocol === "http:" ? u.href : null;
  } catch {
    return null;
  }
}

/** @param {string} name @param {string | null | undefined} url @param {string} [cls] */
export function avatar(name, url, cls) {
  const wrap = h("span", { class: "avatar " + (cls || ""), "aria-hidden": "true" });
  const fallback = () => {
    wrap.textContent = initials(name);
    wrap.classList.add("avatar--initials");
  };
  const src = safeImage(url);
  if (src) {
    const img = h("img", { src, alt: "", decoding: "async", referrerpolicy: "no-referrer" });
    img.addEventListener("error", fallback, { once: true });
    wrap.append(img);
  } else {
    fallback();
  }
  return wrap;
}

const URL_RE = /\bhttps?:\/\/[^\s<>"]+/gi;
/** Text with http(s) links made clickable; every piece is a text node or an <a> built here.
 * @param {HTMLElement} el @param {string} text */
function linkify(el, text) {
  let at = 0;
  let m;
  URL_RE.lastIndex = 0;
  while ((m = URL_RE.exec(text))) {
    let url = m[0].replace(/[.,;:!?'"]+$/, "");
    if (url.endsWith(")") && url.indexOf("(") === -1) url = url.slice(0, -1);
    if (m.index > at) el.append(text.slice(at, m.index));
    let href = null;
    try {
      const u = new URL(url);
      if (u.protocol === "http:" || u.protocol === "https:") href = u.href;
    } catch {
      /* not a URL after all */
    }
    el.append(href ? h("a", { href, target: "_blank", rel: "noopener noreferrer nofollow", text: url }) : url);
    at = m.index + url.length;
    URL_RE.lastIndex = at;
  }
  if (at < text.length) el.append(text.slice(at));
}

/** A message's time, relative while recent ("now", "3 min ago"), then the clock time (the date
 * too from another day), in the widget's language: "nu" and 14.05 in Danish, 2:05 PM in en-US.
 * @param {Date} d */
function timeLabel(d) {
  const age = timeAgo(d, new Date());
  if (age.kind === "now" || age.kind === "minutes") {
    const rtf = relativeFormat();
    if (rtf) return age.kind === "now" ? rtf.format(0, "second") : rtf.format(-age.n, "minute");
  }
  if (age.kind === "date") return dateFormat({ day: "numeric", month: "short", hour: "2-digit", minute: "2-digit" }).format(d);
  return dateFormat({ hour: "2-digit", minute: "2-digit" }).format(d);
}

let ticking = /** @type {any} */ (0);

/** Relative times move on: every 30 s while there are messages. */
function tick() {
  if (ticking) return;
  ticking = setInterval(() => {
    if (!ui.list) return;
    for (const el of ui.list.querySelectorAll("time[datetime]")) {
      const label = timeLabel(new Date(el.getAttribute("datetime") || ""));
      if (el.textContent !== label) el.textContent = label;
    }
  }, 30_000);
}

/** @param {string | null | undefined} iso */
function timeEl(iso) {
  let d = iso ? new Date(iso) : new Date();
  if (isNaN(d.getTime())) d = new Date();
  const title = dateFormat({ dateStyle: "medium", timeStyle: "short" }).format(d);
  tick();
  return h("time", { class: "msg__time", datetime: d.toISOString(), title, text: timeLabel(d) });
}

/** @param {any} m a message as the server sends it (or our own, not yet numbered) */
export function messageEl(m) {
  const author = m.author || {};
  const type = author.type === "visitor" || author.type === "agent" ? author.type : "system";
  const el = h("div", {
    class: "msg msg--" + type,
    "data-testid": "message",
    "data-author-type": type,
    "data-author-id": author.id || null,
    "data-seq": typeof m.seq === "number" ? m.seq : null,
  });
  if (type === "agent") el.append(avatar(author.name, author.avatar_url, "msg__avatar"));
  const col = h("div", { class: "msg__col" });
  if (type !== "system") {
    const name = author.name || (type === "agent" ? t("agent") : S.visitorName || t("you"));
    col.append(h("span", { class: "msg__author", "data-testid": "message-author", text: name }));
  }
  const body = h("div", { class: "msg__body", "data-testid": "message-body" });
  linkify(body, typeof m.body === "string" ? m.body : "");
  col.append(body);
  for (const a of m.attachments || []) col.append(attachmentEl(a));
  col.append(h("div", { class: "msg__meta" }, timeEl(m.created_at)));
  el.append(col);
  return el;
}

export function nearBottom() {
  const sc = ui.scroll;
  return sc.scrollHeight - sc.scrollTop - sc.clientHeight < 80;
}

export function toBottom() {
  ui.scroll.scrollTop = ui.scroll.scrollHeight;
}

/** Whether the current chat is still showing its history (not news). */
export function initialHistory() {
  return !!S.chat && socket.seq.has(S.chat.id) && socket.seq.get(S.chat.id).initial;
}

/** Messages with a number stay in number order; our unconfirmed ones wait at the end.
 * @param {HTMLElement} el @param {boolean} [forceScroll] */
export function insertMessage(el, forceScroll) {
  const stick = forceScroll || nearBottom() || initialHistory();
  const list = ui.list;
  const oldNext = el.parentNode === list ? el.nextElementSibling : null;
  if (el.parentNode) el.remove();
  let before = null;
  if (el.hasAttribute("data-seq")) {
    const seq = +(el.getAttribute("data-seq") || 0);
    let c = list.lastElementChild;
    while (c && (!c.hasAttribute("data-seq") || +c.getAttribute("data-seq") > seq)) {
      before = c;
      c = c.previousElementSibling;
    }
  }
  list.insertBefore(el, before);
  regroup(oldNext);
  regroup(el);
  regroup(el.nextElementSibling);
  if (stick) toBottom();
}

/** Consecutive messages of one author are grouped: name and avatar only on the first.
 * @param {Element | null} el */
function regroup(el) {
  if (!el) return;
  const prev = el.previousElementSibling;
  const type = el.getAttribute("data-author-type");
  const same =
    !!prev &&
    type !== "system" &&
    prev.getAttribute("data-author-type") === type &&
    (type === "visitor" || prev.getAttribute("data-author-id") === el.getAttribute("data-author-id"));
  el.classList.toggle("msg--cont", same);
}

/**
 * One of ours, shown at once as "Sending…" and kept in the outbox until acked.
 * @param {string} text @param {string | null} chatId @param {boolean} start a chat.start (pre-chat)
 * @param {any} pre @param {any[]} [attachments]
 */
export function addOwn(text, chatId, start, pre, attachments) {
  const cid = uuid();
  const el = messageEl({
    author: { type: "visitor", id: S.visitor && S.visitor.id, name: S.visitorName || t("you") },
    body: text,
    attachments: attachments || [],
  });
  el.setAttribute("data-pending", "1");
  const state = h("span", { class: "msg__state", text: t("sending") });
  el.querySelector(".msg__meta")?.append(state);
  const p = { cid, body: text, chatId, start, pre, el, state, acked: false, failed: false, sentOn: 0, attachmentIds: /** @type {string[] | null} */ (null) };
  socket.outbox.add(p);
  insertMessage(el, true);
  return p;
}

/** @param {any} p @param {number} seq @param {string | null} createdAt */
export function markSent(p, seq, createdAt) {
  p.acked = true;
  p.failed = false;
  p.el.removeAttribute("data-pending");
  p.el.removeAttribute("data-failed");
  p.el.setAttribute("data-seq", String(seq));
  p.state.textContent = "";
  if (createdAt) {
    const t = p.el.querySelector("time");
    if (t) t.replaceWith(timeEl(createdAt));
  }
  insertMessage(p.el);
}

/** @param {any} p @param {boolean} [final] no retry (the chat has ended) */
export function markFailed(p, final) {
  p.failed = true;
  p.el.setAttribute("data-failed", "1");
  p.state.textContent = t("not_sent");
  if (!final) {
    p.state.append(" \u00b7 ", h("button", { type: "button", class: "msg__retry", "data-testid": "retry", text: t("retry"), onclick: () => retry(p) }));
  }
}

/** @param {any} p */
function retry(p) {
  if (p.acked || !chatOpen()) return;
  p.failed = false;
  p.sentOn = 0;
  p.el.removeAttribute("data-failed");
  const refocus = ui.shadow.activeElement && p.state.contains(ui.shadow.activeElement);
  p.state.textContent = t("sending");
  if (refocus) ui.composer.focus();
  ensureSocket();
  flush();
}

/** @param {boolean} keepUnsent keep our messages still on their way (they move to the new chat) */
export function clearList(keepUnsent) {
  for (const [cid, p] of socket.outbox.items) {
    if (!(keepUnsent && !p.acked && !p.failed)) socket.outbox.delete(cid);
  }
  for (const el of Array.from(ui.list.children)) {
    if (!(keepUnsent && /** @type {Element} */ (el).getAttribute("data-pending") === "1")) /** @type {Element} */ (el).remove();
  }
}
