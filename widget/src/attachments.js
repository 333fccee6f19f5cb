// @ts-check
/** Files: shown as a preview or a download link, sent by uploading first (checked by the server). */
import { h } from "../../client/src/index.js";
import { S, MAX_FILE, chatOpen, ensureSocket } from "./core.js";
import { flush } from "./outgoing.js";
import { showNotice } from "./views/status.js";
import { addOwn } from "./views/messages.js";
import { t } from "./i18n.js";

// Signed file links live 300 s on the server; one older than this is asked for again.
const LINK_FRESH_MS = 240000;

/** A file in a message: images as a preview, other files as a download link. The address is a
 * short-lived signed link asked for with the token in a header: no token in any URL.
 * @param {any} a */
export function attachmentEl(a) {
  if (!a || !a.url || !a.id) return h("div", { class: "msg__file", text: (a && a.name) || t("file") });
  const link = a.is_image
    ? h("a", { class: "msg__image", target: "_blank", rel: "noopener noreferrer" }, h("img", { alt: a.name || "image", "data-testid": "attachment-image" }))
    : h("a", { class: "msg__file", target: "_blank", rel: "noopener noreferrer", "data-testid": "attachment-file", text: "\u2913 " + (a.name || t("file")) });
  let fetchedAt = 0;
  const refresh = async () => {
    const res = await fetch(S.base + "/api/v1/uploads/" + encodeURIComponent(a.id) + "/link", {
      method: "POST",
      headers: { Authorization: "Bearer " + S.token },
    });
    if (!res.ok) throw new Error("link refused");
    const url = S.base + (await res.json()).url;
    fetchedAt = Date.now();
    link.setAttribute("href", url);
    const img = link.querySelector("img");
    if (img && !img.src) img.src = url;
    return url;
  };
  refresh().catch(() => {
    /* shown without a link; a click asks again */
  });
  link.addEventListener("click", async (ev) => {
    if (fetchedAt && Date.now() - fetchedAt < LINK_FRESH_MS) return;
    ev.preventDefault();
    try {
      window.open(await refresh(), "_blank", "noopener");
    } catch {
      showNotice(t("file_cannot_open", { name: a.name || t("file") }));
    }
  });
  return link;
}

/** Files are uploaded first (checked by the server), then sent as a message of their own.
 * @param {File[]} files */
export async function sendFiles(files) {
  if (!chatOpen()) return;
  for (const file of files) {
    if (file.size > MAX_FILE) {
      showNotice(t("file_too_large", { name: file.name }));
      continue;
    }
    const form = new FormData();
    form.append("file", file);
    try {
      const res = await fetch(S.base + "/api/v1/uploads", {
        method: "POST",
        headers: { Authorization: "Bearer " + S.token },
        body: form,
      });
      const data = await res.json().catch(() => null);
      if (!res.ok) throw new Error((data && data.error && data.error.message) || "upload failed");
      const p = addOwn(data.name, /** @type {any} */ (S.chat).id, false, null, [data]);
      p.attachmentIds = [data.id];
      ensureSocket();
      flush();
    } catch (err) {
      console.warn("[Parley] upload:", /** @type {Error} */ (err).message);
      showNotice(t("upload_failed", { name: file.name }));
    }
  }
}
