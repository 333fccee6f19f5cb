// One message as the console shows it. Text goes through textContent only. Consecutive messages
// of one author are drawn as a group: the first bubble names the author, the rest only add text.
import { el, signLink } from "./parley-client.js";
import { t } from "./i18n.js";
import { absolute, timeEl } from "./reltime.js";

const LABELS = { whisper: "whisper", note: "note" };

/** Who wrote `m`, and in which kind: messages with the same key form one group. */
export function authorKey(m) {
  const a = m.author || { type: "system" };
  return [m.kind || "public", a.type, a.id || a.name || ""].join("|");
}

/** Whether `m` continues the group of `prev` (same author, same kind; never system lines). */
export function sameAuthor(prev, m) {
  return Boolean(prev && prev.author && m.author) && authorKey(prev) === authorKey(m);
}

/**
 * @param {any} m the message (or a pending one of ours)
 * @param {{token: string, grouped?: boolean, viewer?: string, visitorName?: string}} opts grouped:
 *   continues the bubble before it, so its author is not repeated; visitorName: the visitor as
 *   known now (a visitor who gave their name after the first message wrote that one unnamed)
 */
export function renderMessage(m, { token, grouped = false, visitorName }) {
  const kind = m.kind || "public";
  const type = m.author ? m.author.type : "system";
  const node = el("div", {
    "data-testid": "message",
    "data-seq": m.seq === undefined || m.seq === null ? undefined : String(m.seq),
    "data-kind": kind,
    "data-author-type": type,
    "data-author-key": authorKey(m),
    "data-pending": m.pending && !m.acked ? "1" : undefined,
    "data-failed": m.failed ? "1" : undefined,
    class: `msg msg-${type} msg-${kind}${grouped ? " grouped" : ""}`,
  });
  if (type !== "system" && !grouped) {
    const head = el("div", { class: "msg-head" });
    if (LABELS[kind]) head.append(el("span", { class: "kind-label" }, t(LABELS[kind])));
    const name = (type === "visitor" && visitorName) || (m.author && m.author.name) || t("visitor");
    head.append(el("span", { "data-testid": "message-author", class: "author" }, name));
    if (m.created_at) head.append(timeEl(m.created_at, { class: "time" }));
    node.append(head);
  } else if (m.created_at) node.title = absolute(m.created_at);
  node.append(el("div", { "data-testid": "message-body", class: "body" }, m.body));
  for (const a of m.attachments || []) node.append(renderAttachment(a, token));
  if (m.failed) node.append(el("div", { class: "failed" }, t("not_sent", { reason: m.failed })));
  else if (m.pending && !m.acked) node.append(el("div", { class: "sending" }, t("sending")));
  return node;
}

function renderAttachment(a, token) {
  if (!a.url || !a.id) return el("div", { class: "attachment" }, a.name);
  if (a.is_image) {
    return signLink(
      el("a", { target: "_blank", rel: "noopener", class: "attachment image" }, el("img", { alt: a.name, "data-testid": "attachment-image" })),
      a.id,
      token,
    );
  }
  return signLink(
    el("a", { target: "_blank", class: "attachment file", "data-testid": "attachment-file", rel: "noopener" }, "⤓ ", a.name, ` (${Math.ceil(a.size / 1024)} KB)`),
    a.id,
    token,
  );
}
