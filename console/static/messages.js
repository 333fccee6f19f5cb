// One message as the console shows it. Text goes through textContent only.
import { clock, el, signLink } from "./parley-client.js";

const LABELS = { whisper: "Whisper", note: "Note" };

export function renderMessage(m, { token }) {
  const kind = m.kind || "public";
  const type = m.author ? m.author.type : "system";
  const node = el("div", {
    "data-testid": "message",
    "data-seq": m.seq === undefined || m.seq === null ? undefined : String(m.seq),
    "data-kind": kind,
    "data-author-type": type,
    "data-pending": m.pending && !m.acked ? "1" : undefined,
    "data-failed": m.failed ? "1" : undefined,
    class: `msg msg-${type} msg-${kind}`,
  });
  if (type !== "system") {
    const head = el("div", { class: "msg-head" });
    if (LABELS[kind]) head.append(el("span", { class: "kind-label" }, LABELS[kind]));
    head.append(el("span", { "data-testid": "message-author", class: "author" }, (m.author && m.author.name) || "Visitor"));
    head.append(el("span", { class: "time" }, m.created_at ? clock(m.created_at) : ""));
    node.append(head);
  }
  node.append(el("div", { "data-testid": "message-body", class: "body" }, m.body));
  for (const a of m.attachments || []) node.append(renderAttachment(a, token));
  if (m.failed) node.append(el("div", { class: "failed" }, "Not sent: " + m.failed));
  else if (m.pending && !m.acked) node.append(el("div", { class: "sending" }, "Sending…"));
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
