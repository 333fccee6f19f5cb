// Offline messages in the console: the list of chats left while the shop was unavailable, read
// and answered here (the answer is e-mailed to the visitor). Office hours, notify addresses and
// "hide the bubble" are set in the admin page (admin-hours.js), FAQ answers with the saved
// replies (admin-replies.js).
import { api, el } from "./parley-client.js";
import { language, t } from "./i18n.js";

const when = (iso) => new Date(iso).toLocaleString(language());

// ------------------------------------------------------------------ the offline inbox
export function setupOfflineInbox({ button, dialog, token, closeChat }) {
  const list = dialog.querySelector("[data-testid=offline-list]");
  const view = dialog.querySelector("[data-testid=offline-chat]");
  let count = 0;

  async function refresh() {
    try {
      const page = await api("/chats?status=offline&limit=100", { token: token() });
      count = page.items.length;
      button.textContent = count ? t("off_button_n", { n: count }) : t("offline_inbox");
      return page.items;
    } catch (e) {
      return { error: e.message };
    }
  }

  async function renderList() {
    list.replaceChildren(el("li", { class: "muted" }, t("loading")));
    const items = await refresh();
    if (items.error) {
      list.replaceChildren(el("li", { class: "error" }, items.error));
      return;
    }
    if (!items.length) {
      list.replaceChildren(el("li", { class: "muted", "data-testid": "offline-empty" }, t("off_none")));
      return;
    }
    list.replaceChildren(...items.map((chat) => {
      const v = chat.visitor || {};
      const email = (chat.pre_chat && chat.pre_chat.email) || v.email || t("off_no_email");
      const at = chat.created_at ? when(chat.created_at) : "";
      return el("li", { class: "offline-row", "data-testid": "offline-row", "data-chat-id": chat.id },
        el("button", { type: "button", class: "link-btn", onclick: () => openChat(chat) },
          el("strong", {}, v.name || (chat.pre_chat && chat.pre_chat.name) || t("visitor")), " ",
          el("span", { class: "muted small" }, `${email} · ${at}`)));
    }));
  }

  async function openChat(chat) {
    const v = chat.visitor || {};
    const email = (chat.pre_chat && chat.pre_chat.email) || v.email || "";
    const messages = el("div", { class: "offline-messages", "data-testid": "offline-messages" }, el("p", { class: "muted" }, t("loading")));
    const reply = el("textarea", { id: "offline-reply", rows: 4, maxlength: 5000, "data-testid": "offline-reply" });
    const result = el("p", { class: "small", "aria-live": "polite", "data-testid": "offline-result" });
    const send = el("button", { type: "button", class: "primary", "data-testid": "offline-send" }, t("off_send"));
    const done = el("button", { type: "button", class: "ghost", "data-testid": "offline-done" }, t("off_done"));
    const back = el("button", { type: "button", class: "ghost", onclick: () => { view.hidden = true; list.hidden = false; renderList(); } }, t("off_back"));
    view.replaceChildren(
      el("p", {}, el("strong", {}, v.name || t("visitor")), " ", el("span", { class: "muted" }, email ? t("off_answers_to", { email }) : t("off_left_no_email"))),
      messages, el("label", { for: "offline-reply" }, t("off_answer_label")), reply, result,
      el("div", { class: "team-actions" }, back, done, send));
    list.hidden = true;
    view.hidden = false;
    const load = async () => {
      const page = await api(`/chats/${chat.id}/messages?limit=1000`, { token: token() });
      messages.replaceChildren(...page.items.map((m) => el("div", { class: `offline-msg offline-${m.author.type}`, "data-kind": m.kind },
        el("span", { class: "muted small" }, `${m.author.name || m.author.type} · ${when(m.created_at)}`),
        el("p", {}, m.body))));
    };
    await load().catch((e) => messages.replaceChildren(el("p", { class: "error" }, e.message)));
    send.addEventListener("click", async () => {
      const body = reply.value.trim();
      if (!body) return;
      send.disabled = true;
      result.className = "small";
      result.textContent = t("off_sending");
      try {
        await api(`/chats/${chat.id}/messages`, { method: "POST", token: token(), body: { body } });
        reply.value = "";
        result.textContent = email ? t("off_sent", { email }) : t("off_stored");
        await load();
      } catch (e) {
        result.className = "small error";
        result.textContent = e.message;
      }
      send.disabled = false;
    });
    done.addEventListener("click", () => {
      closeChat(chat.id);
      view.hidden = true;
      list.hidden = false;
      setTimeout(renderList, 300);
    });
  }

  button.addEventListener("click", async () => {
    view.hidden = true;
    list.hidden = false;
    dialog.showModal();
    await renderList();
  });
  return { refresh };
}
