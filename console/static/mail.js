// E-mail in the console: "Send transcript" on a chat (any agent), and for admins the outbox of
// mails that failed or still wait. Without e-mail on the server the button says why it is off.
import { api, el } from "./parley-client.js";
import { language, t } from "./i18n.js";

export function setupMail({ outboxButton, outboxDialog, sendButton, sendDialog, token, selectedChat }) {
  const list = outboxDialog.querySelector("[data-testid=mail-list]");
  const state = outboxDialog.querySelector("[data-testid=mail-state]");
  const email = sendDialog.querySelector("[data-testid=send-transcript-email]");
  const result = sendDialog.querySelector("[data-testid=send-transcript-result]");
  const submit = sendDialog.querySelector("[data-testid=send-transcript-submit]");
  let status = { enabled: false, reason: t("mail_checking") };

  async function loadStatus() {
    try {
      status = await api("/mail/status", { token: token() });
    } catch (e) {
      status = { enabled: false, reason: e.message };
    }
    sendButton.disabled = !status.enabled;
    sendButton.title = status.enabled ? t("mail_send_title") : status.reason;
  }

  async function renderOutbox() {
    state.textContent = status.enabled ? "" : status.reason;
    list.replaceChildren(el("li", { class: "muted" }, t("loading")));
    try {
      const query = "?status=failed&status=pending&status=sending&limit=100";
      const items = (await api(`/mail/outbox${query}`, { token: token() })).items;
      list.replaceChildren(...(items.length ? items.map(row) : [el("li", { class: "muted", "data-testid": "mail-empty" }, t("mail_nothing"))]));
    } catch (e) {
      list.replaceChildren(el("li", { class: "error" }, e.message));
    }
  }

  function row(mail) {
    const error = el("p", { class: "error small", "aria-live": "polite" });
    const retry = el("button", {
      type: "button",
      class: "ghost",
      "data-testid": "mail-retry",
      onclick: async () => {
        error.textContent = "";
        try {
          await api(`/mail/outbox/${mail.id}/retry`, { method: "POST", token: token() });
          await renderOutbox();
        } catch (e) {
          error.textContent = e.message;
        }
      },
    }, t("mail_retry"));
    const when = mail.status === "pending" && mail.next_attempt_at
      ? t("mail_next_try", { time: new Date(mail.next_attempt_at).toLocaleTimeString(language()) })
      : "";
    return el(
      "li",
      { class: `mail-row mail-${mail.status}`, "data-testid": "mail-row", "data-status": mail.status },
      el("div", {}, el("strong", {}, mail.subject), " ", el("span", { class: "muted small" }, t("mail_row", { to: mail.to, status: t(`mail_st_${mail.status}`), attempts: mail.attempts, next: when }))),
      mail.last_error ? el("p", { class: "small mail-error", "data-testid": "mail-error" }, mail.last_error) : null,
      el("div", { class: "team-actions" }, retry),
      error,
    );
  }

  outboxButton.addEventListener("click", async () => {
    outboxDialog.showModal();
    await loadStatus();
    await renderOutbox();
  });

  sendButton.addEventListener("click", () => {
    const chat = selectedChat();
    if (!chat) return;
    const v = chat.summary.visitor || {};
    email.value = v.email || (chat.summary.pre_chat && chat.summary.pre_chat.email) || "";
    result.textContent = "";
    result.className = "small";
    submit.disabled = false;
    sendDialog.showModal();
    email.focus();
  });

  sendDialog.querySelector("[data-testid=send-transcript-cancel]").addEventListener("click", () => sendDialog.close());

  sendDialog.querySelector("form").addEventListener("submit", async (e) => {
    e.preventDefault();
    const chat = selectedChat();
    if (!chat) return;
    submit.disabled = true;
    result.className = "small";
    result.textContent = t("transcript_sending");
    try {
      await api(`/chats/${chat.id}/transcript`, { method: "POST", token: token(), body: { email: email.value.trim() } });
      result.textContent = t("transcript_queued", { email: email.value.trim() });
    } catch (err) {
      result.className = "small error";
      result.textContent = err.message;
    }
    submit.disabled = false;
  });

  return { loadStatus };
}
