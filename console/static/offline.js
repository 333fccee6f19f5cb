// Offline messages in the console: the list of chats left while the shop was unavailable, read
// and answered here (the answer is e-mailed to the visitor), and for admins the office hours,
// notify addresses, "hide the bubble" and which shared saved replies are FAQ answers.
import { api, el } from "./parley-client.js";

const DAYS = [["mon", "Monday"], ["tue", "Tuesday"], ["wed", "Wednesday"], ["thu", "Thursday"], ["fri", "Friday"], ["sat", "Saturday"], ["sun", "Sunday"]];

// ------------------------------------------------------------------ the offline inbox
export function setupOfflineInbox({ button, dialog, token, closeChat }) {
  const list = dialog.querySelector("[data-testid=offline-list]");
  const view = dialog.querySelector("[data-testid=offline-chat]");
  let count = 0;

  async function refresh() {
    try {
      const page = await api("/chats?status=offline&limit=100", { token: token() });
      count = page.items.length;
      button.textContent = count ? `Offline messages (${count})` : "Offline messages";
      return page.items;
    } catch (e) {
      return { error: e.message };
    }
  }

  async function renderList() {
    list.replaceChildren(el("li", { class: "muted" }, "Loading…"));
    const items = await refresh();
    if (items.error) {
      list.replaceChildren(el("li", { class: "error" }, items.error));
      return;
    }
    if (!items.length) {
      list.replaceChildren(el("li", { class: "muted", "data-testid": "offline-empty" }, "No offline messages waiting."));
      return;
    }
    list.replaceChildren(...items.map((chat) => {
      const v = chat.visitor || {};
      const email = (chat.pre_chat && chat.pre_chat.email) || v.email || "no e-mail";
      const when = chat.created_at ? new Date(chat.created_at).toLocaleString() : "";
      return el("li", { class: "offline-row", "data-testid": "offline-row", "data-chat-id": chat.id },
        el("button", { type: "button", class: "link-btn", onclick: () => openChat(chat) },
          el("strong", {}, v.name || (chat.pre_chat && chat.pre_chat.name) || "Visitor"), " ",
          el("span", { class: "muted small" }, `${email} · ${when}`)));
    }));
  }

  async function openChat(chat) {
    const v = chat.visitor || {};
    const email = (chat.pre_chat && chat.pre_chat.email) || v.email || "";
    const messages = el("div", { class: "offline-messages", "data-testid": "offline-messages" }, el("p", { class: "muted" }, "Loading…"));
    const reply = el("textarea", { rows: 4, maxlength: 5000, "data-testid": "offline-reply", "aria-label": "Your answer" });
    const result = el("p", { class: "small", "aria-live": "polite", "data-testid": "offline-result" });
    const send = el("button", { type: "button", class: "primary", "data-testid": "offline-send" }, "Send answer by e-mail");
    const done = el("button", { type: "button", class: "ghost", "data-testid": "offline-done" }, "Mark as done");
    const back = el("button", { type: "button", class: "ghost", onclick: () => { view.hidden = true; list.hidden = false; renderList(); } }, "Back");
    view.replaceChildren(
      el("p", {}, el("strong", {}, v.name || "Visitor"), " ", el("span", { class: "muted" }, email ? `answers go to ${email}` : "left no e-mail: an answer cannot be mailed")),
      messages, el("label", {}, "Your answer (e-mailed to the visitor; shown in the widget if they come back)"), reply, result,
      el("div", { class: "team-actions" }, back, done, send));
    list.hidden = true;
    view.hidden = false;
    const load = async () => {
      const page = await api(`/chats/${chat.id}/messages?limit=1000`, { token: token() });
      messages.replaceChildren(...page.items.map((m) => el("div", { class: `offline-msg offline-${m.author.type}`, "data-kind": m.kind },
        el("span", { class: "muted small" }, `${m.author.name || m.author.type} · ${new Date(m.created_at).toLocaleString()}`),
        el("p", {}, m.body))));
    };
    await load().catch((e) => messages.replaceChildren(el("p", { class: "error" }, e.message)));
    send.addEventListener("click", async () => {
      const body = reply.value.trim();
      if (!body) return;
      send.disabled = true;
      result.className = "small";
      result.textContent = "Sending…";
      try {
        await api(`/chats/${chat.id}/messages`, { method: "POST", token: token(), body: { body } });
        reply.value = "";
        result.textContent = email ? `Sent. It is e-mailed to ${email} within seconds.` : "Stored.";
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

// ------------------------------------------------------------------ office hours (admins)
export function setupOfficeHours({ button, dialog, token, siteId }) {
  const form = dialog.querySelector("form[data-testid=hours-form]");
  const days = dialog.querySelector("[data-testid=hours-days]");
  const zone = dialog.querySelector("[data-testid=hours-timezone]");
  const useHours = dialog.querySelector("[data-testid=hours-enabled]");
  const holidays = dialog.querySelector("[data-testid=hours-holidays]");
  const emails = dialog.querySelector("[data-testid=hours-notify]");
  const hide = dialog.querySelector("[data-testid=hours-hide]");
  const smtp = dialog.querySelector("[data-testid=hours-smtp]");
  const result = dialog.querySelector("[data-testid=hours-result]");
  const faqList = dialog.querySelector("[data-testid=faq-list]");

  const zones = typeof Intl.supportedValuesOf === "function" ? Intl.supportedValuesOf("timeZone") : ["UTC", "Europe/Copenhagen"];
  zone.replaceChildren(...["UTC", ...zones.filter((z) => z !== "UTC")].map((z) => el("option", { value: z }, z)));

  function rangeRow(day, start = "09:00", end = "17:00") {
    const row = el("div", { class: "range-row", "data-testid": `range-${day}` },
      el("input", { type: "time", value: start, "aria-label": "Opens", class: "range-start" }), " – ",
      el("input", { type: "time", value: end, "aria-label": "Closes", class: "range-end" }));
    row.append(el("button", { type: "button", class: "ghost small", "aria-label": "Remove this range", onclick: () => row.remove() }, "×"));
    return row;
  }

  function renderDays(weekly) {
    days.replaceChildren(...DAYS.map(([key, label]) => {
      const ranges = el("div", { class: "ranges", "data-day": key });
      for (const [s, e] of weekly[key] || []) ranges.append(rangeRow(key, s, e === "24:00" ? "23:59" : e));
      return el("div", { class: "day-row", "data-field": `office_hours.weekly.${key}` },
        el("span", { class: "day-name" }, label), ranges,
        el("button", { type: "button", class: "ghost small", "data-testid": `add-range-${key}`, onclick: () => ranges.append(rangeRow(key)) }, "+ range"),
        el("p", { class: "error small field-error" }));
    }));
  }

  function readWeekly() {
    const weekly = {};
    for (const ranges of days.querySelectorAll(".ranges")) {
      weekly[ranges.dataset.day] = [...ranges.querySelectorAll(".range-row")].map((r) => {
        const end = r.querySelector(".range-end").value;
        return [r.querySelector(".range-start").value, end === "23:59" ? "24:00" : end];
      });
    }
    return weekly;
  }

  function clearErrors() {
    for (const p of dialog.querySelectorAll(".field-error")) p.textContent = "";
    result.textContent = "";
    result.className = "small";
  }

  // A 422 names its field ("office_hours.weekly.mon: ..."): shown beside that field.
  function showError(message) {
    const where = message.split(":")[0].trim();
    let box = null;
    for (const field of dialog.querySelectorAll("[data-field]")) {
      if (where === field.dataset.field || where.startsWith(field.dataset.field + ".")) {
        if (!box || field.dataset.field.length > box.dataset.field.length) box = field;
      }
    }
    const target = box && box.querySelector(".field-error");
    if (target) target.textContent = message.slice(where.length + 1).trim() || message;
    else {
      result.className = "small error";
      result.textContent = message;
    }
  }

  async function load() {
    clearErrors();
    const [site, mail] = await Promise.all([
      api(`/sites/${siteId()}`, { token: token() }),
      api("/mail/status", { token: token() }).catch((e) => ({ enabled: false, reason: e.message })),
    ]);
    const hours = site.office_hours;
    useHours.checked = !!hours;
    zone.value = (hours && hours.timezone) || site.timezone || "UTC";
    renderDays((hours && hours.weekly) || { mon: [["09:00", "17:00"]], tue: [["09:00", "17:00"]], wed: [["09:00", "17:00"]], thu: [["09:00", "17:00"]], fri: [["09:00", "17:00"]] });
    holidays.value = ((hours && hours.holidays) || []).join("\n");
    emails.value = (site.notify_emails || []).join("\n");
    hide.checked = !!site.hide_when_offline;
    smtp.hidden = mail.enabled;
    smtp.textContent = mail.enabled ? "" : `E-mail is off on this server, so offline messages are not mailed to you and answers do not reach visitors: ${mail.reason}`;
    await renderFaq();
  }

  async function renderFaq() {
    const replies = (await api("/saved-replies", { token: token() })).items.filter((r) => r.shared);
    if (!replies.length) {
      faqList.replaceChildren(el("li", { class: "muted small" }, "No shared saved replies yet."));
      return;
    }
    faqList.replaceChildren(...replies.map((r) => {
      const box = el("input", { type: "checkbox", "data-testid": "faq-toggle", "data-reply-id": r.id });
      box.checked = r.faq;
      const note = el("span", { class: "error small" });
      box.addEventListener("change", async () => {
        note.textContent = "";
        try {
          await api(`/saved-replies/${r.id}`, { method: "PATCH", token: token(), body: { faq: box.checked } });
        } catch (e) {
          box.checked = !box.checked;
          note.textContent = e.message;
        }
      });
      return el("li", { class: "faq-row" }, el("label", { class: "inline" }, box, ` ${r.title} `, el("span", { class: "muted small" }, `/${r.shortcut}`)), note);
    }));
  }

  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    clearErrors();
    const lines = (text) => text.split(/[\s,]+/).map((s) => s.trim()).filter(Boolean);
    const body = {
      office_hours: useHours.checked ? { timezone: zone.value, weekly: readWeekly(), holidays: lines(holidays.value) } : null,
      notify_emails: lines(emails.value),
      hide_when_offline: hide.checked,
    };
    try {
      await api(`/sites/${siteId()}`, { method: "PATCH", token: token(), body });
      result.textContent = "Saved.";
    } catch (err) {
      showError(err.message);
    }
  });

  dialog.querySelector("[data-testid=hours-close]").addEventListener("click", () => dialog.close());
  button.addEventListener("click", async () => {
    dialog.showModal();
    try {
      await load();
    } catch (e) {
      showError(e.message);
    }
  });
}
