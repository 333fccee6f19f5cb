// Webhooks, for admins: register an endpoint (its signing secret is shown once, to copy), see
// whether each one is on or was switched off for failing (when and why), change its URL and
// events, turn it on again, rotate its secret, delete it, and read its delivery log with a
// "Redeliver" per delivery. The dialog is built here, so the page template only has the button.
import { api, el } from "./parley-client.js";
import { language, t } from "./i18n.js";

// The events an endpoint can subscribe to (app/webhooks/schemas.py EventName, docs/crm.md).
const EVENTS = [
  "chat.started",
  "chat.assigned",
  "chat.transferred",
  "chat.closed",
  "message.created",
  "survey.submitted",
  "visitor.identified",
  "trigger.fired",
];

const deliveryStatus = (status) =>
  ({ pending: t("wh_status_pending"), delivered: t("wh_status_delivered"), failed: t("wh_status_failed") })[status] || status;
const when = (iso) => (iso ? new Date(iso).toLocaleString(language()) : "");

// A 422 says "field: what is wrong"; anything else belongs to the form as a whole.
function fieldOf(e) {
  const m = /^(url|events)[.:]/.exec(e.message || "");
  return m ? m[1] : null;
}

function eventBoxes(prefix, chosen) {
  return el(
    "fieldset",
    { class: "webhook-events", "data-testid": `${prefix}-events` },
    el("legend", { class: "small" }, t("wh_events")),
    ...EVENTS.map((name) =>
      el(
        "label",
        { class: "small" },
        el("input", { type: "checkbox", name: "events", value: name, "data-event": name, ...(chosen.includes(name) ? { checked: "" } : {}) }),
        " ",
        name,
      ),
    ),
  );
}

function ticked(fieldset) {
  return [...fieldset.querySelectorAll("input[name=events]:checked")].map((i) => i.value);
}

// The secret of an endpoint, shown once with a copy button.
function secretShown(text, secret) {
  const value = el("input", { type: "text", readonly: "", value: secret, "data-testid": "webhook-secret", "aria-label": t("wh_secret_label") });
  const copy = el(
    "button",
    {
      type: "button",
      class: "ghost",
      "data-testid": "webhook-secret-copy",
      onclick: async () => {
        value.select();
        try {
          await navigator.clipboard.writeText(secret);
          copy.textContent = t("copied");
        } catch {
          copy.textContent = t("select_and_copy");
        }
      },
    },
    t("copy"),
  );
  return [el("p", { class: "small" }, text), el("div", { class: "team-actions" }, value, copy)];
}

export function setupWebhooks({ button, token }) {
  const urlError = el("p", { class: "error small", "data-testid": "webhook-url-error", "aria-live": "polite" });
  const eventsError = el("p", { class: "error small", "data-testid": "webhook-events-error", "aria-live": "polite" });
  const formError = el("p", { class: "error small", "data-testid": "webhook-error", "aria-live": "polite" });
  const url = el("input", { name: "url", type: "url", required: "", maxlength: "2000", placeholder: "https://crm.example.com/parley", "aria-label": t("wh_url"), "data-testid": "webhook-url" });
  const boxes = eventBoxes("webhook", ["chat.closed"]);
  const form = el(
    "form",
    { "data-testid": "webhook-form", novalidate: "" },
    url,
    urlError,
    boxes,
    eventsError,
    el("div", { class: "team-actions" }, el("button", { class: "primary", "data-testid": "webhook-create" }, t("wh_add"))),
    formError,
  );
  const shown = el("div", { "data-testid": "webhook-shown", hidden: "" });
  const list = el("ul", { class: "team-list", "data-testid": "webhooks-list" });
  const dialog = el(
    "dialog",
    { id: "webhooks-dialog", "data-testid": "webhooks-dialog", "aria-labelledby": "webhooks-title" },
    el("h3", { id: "webhooks-title" }, t("webhooks")),
    el("p", { class: "muted small" }, t("wh_intro")),
    form,
    shown,
    list,
    el("form", { method: "dialog", class: "dialog-buttons" }, el("button", { class: "ghost" }, t("close"))),
  );
  document.body.append(dialog);

  // The admins' notice: endpoints Parley switched off, shown under the top bar.
  const notice = el("p", { class: "banner", "data-testid": "webhooks-notice", hidden: "" });
  const bar = document.querySelector(".topbar");
  if (bar) bar.after(notice);
  else document.body.prepend(notice);

  function showNotice(endpoints) {
    const off = endpoints.filter((w) => !w.enabled && w.disabled_at);
    notice.hidden = off.length === 0;
    notice.replaceChildren();
    if (!off.length) return;
    const open = el("button", { type: "button", class: "ghost", onclick: () => openDialog() }, t("wh_open"));
    const what = off
      .map((w) => `${w.url} (${t("wh_since", { when: when(w.disabled_at) })}: ${w.disabled_reason || t("wh_failing")})`)
      .join("; ");
    notice.append(`${t("wh_notice", { what })} `, open);
  }

  async function render() {
    try {
      const endpoints = (await api("/webhooks", { token: token() })).items;
      showNotice(endpoints);
      const open = new Set([...list.querySelectorAll("[data-testid=webhook-row].log-open")].map((r) => r.dataset.id));
      list.replaceChildren(...(endpoints.length ? endpoints.map((w) => row(w, open.has(w.id))) : [el("li", { class: "muted" }, t("wh_none"))]));
    } catch (e) {
      list.replaceChildren(el("li", { class: "error" }, e.message));
    }
  }

  function row(w, logOpen) {
    const problem = el("p", { class: "error small", "data-testid": "webhook-row-error", "aria-live": "polite" });
    const log = el("div", { class: "webhook-log", "data-testid": "webhook-log", hidden: "" });
    const editor = el("div", { "data-testid": "webhook-editor", hidden: "" });
    const item = el("li", { class: "team-row", "data-testid": "webhook-row", "data-url": w.url, "data-id": w.id });

    async function act(fn) {
      problem.textContent = "";
      try {
        await fn();
      } catch (e) {
        problem.textContent = e.message;
      }
    }

    const state = w.enabled
      ? el("span", { class: "small", "data-testid": "webhook-state" }, t("wh_enabled"))
      : el(
          "span",
          { class: "small error", "data-testid": "webhook-state" },
          w.disabled_at
            ? t("wh_disabled_auto", { when: when(w.disabled_at), reason: w.disabled_reason || t("wh_kept_failing") })
            : t("wh_disabled"),
        );
    const buttons = [
      el("button", { type: "button", class: "ghost", "data-testid": "webhook-edit", onclick: () => toggleEditor() }, t("edit")),
      w.enabled
        ? null
        : el(
            "button",
            {
              type: "button",
              class: "ghost",
              "data-testid": "webhook-enable",
              onclick: () =>
                act(async () => {
                  await api(`/webhooks/${w.id}`, { method: "PATCH", token: token(), body: { enabled: true } });
                  await render();
                }),
            },
            t("wh_enable_again"),
          ),
      el(
        "button",
        {
          type: "button",
          class: "ghost",
          "data-testid": "webhook-rotate",
          onclick: () =>
            act(async () => {
              if (!confirm(t("wh_confirm_rotate", { url: w.url }))) return;
              const rotated = await api(`/webhooks/${w.id}/secret`, { method: "POST", token: token() });
              shown.replaceChildren(
                ...secretShown(
                  t("wh_rotated", { url: w.url, when: when(rotated.previous_secret_expires_at) }),
                  rotated.secret,
                ),
              );
              shown.hidden = false;
              await render();
            }),
        },
        t("wh_new_secret"),
      ),
      el("button", { type: "button", class: "ghost", "data-testid": "webhook-deliveries", onclick: () => toggleLog() }, t("wh_deliveries")),
      el(
        "button",
        {
          type: "button",
          class: "ghost",
          "data-testid": "webhook-delete",
          onclick: () =>
            act(async () => {
              if (!confirm(t("wh_confirm_delete", { url: w.url }))) return;
              await api(`/webhooks/${w.id}`, { method: "DELETE", token: token() });
              await render();
            }),
        },
        t("delete"),
      ),
    ];

    function toggleEditor() {
      if (!editor.hidden) {
        editor.hidden = true;
        return;
      }
      const editUrl = el("input", { type: "url", value: w.url, maxlength: "2000", "aria-label": t("wh_url"), "data-testid": "webhook-edit-url" });
      const editUrlError = el("p", { class: "error small", "data-testid": "webhook-edit-url-error", "aria-live": "polite" });
      const editBoxes = eventBoxes("webhook-edit", w.events);
      const editEventsError = el("p", { class: "error small", "aria-live": "polite" });
      const save = el(
        "button",
        {
          type: "button",
          class: "primary",
          "data-testid": "webhook-save",
          onclick: async () => {
            editUrlError.textContent = editEventsError.textContent = problem.textContent = "";
            try {
              await api(`/webhooks/${w.id}`, { method: "PATCH", token: token(), body: { url: editUrl.value.trim(), events: ticked(editBoxes) } });
              await render();
            } catch (e) {
              const target = { url: editUrlError, events: editEventsError }[fieldOf(e)] || (e.status === 400 ? editUrlError : problem);
              target.textContent = e.message;
            }
          },
        },
        t("save"),
      );
      editor.replaceChildren(editUrl, editUrlError, editBoxes, editEventsError, el("div", { class: "team-actions" }, save));
      editor.hidden = false;
    }

    async function loadLog() {
      log.replaceChildren(el("p", { class: "muted small" }, t("loading")));
      try {
        const page = await api(`/webhooks/${w.id}/deliveries?limit=50`, { token: token() });
        const rows = page.items.map((d) =>
          el(
            "tr",
            { "data-testid": "delivery-row", "data-id": d.id, "data-status": d.status },
            el("td", {}, d.event),
            el("td", {}, when(d.created_at)),
            el("td", { "data-testid": "delivery-status", "data-status": d.status }, deliveryStatus(d.status)),
            el("td", { "data-testid": "delivery-code" }, d.response_status == null ? "—" : String(d.response_status)),
            el("td", {}, d.response_time_s == null ? "—" : `${Math.round(d.response_time_s * 1000)} ms`),
            el("td", { "data-testid": "delivery-attempts" }, String(d.attempts)),
            el("td", {}, d.status === "pending" ? when(d.next_attempt_at) : "—"),
            el("td", { class: "small" }, d.error || ""),
            el(
              "td",
              {},
              el(
                "button",
                {
                  type: "button",
                  class: "ghost",
                  "data-testid": "delivery-redeliver",
                  onclick: () =>
                    act(async () => {
                      await api(`/webhooks/${w.id}/deliveries/${d.id}/redeliver`, { method: "POST", token: token() });
                      await loadLog();
                    }),
                },
                t("wh_redeliver"),
              ),
            ),
          ),
        );
        const head = el(
          "tr",
          {},
          ...[t("wh_event"), t("wh_time"), t("arch_status"), t("wh_code"), t("wh_response_time"), t("wh_attempts"), t("wh_next_retry"), t("wh_error")].map((h) =>
            el("th", { class: "small" }, h),
          ),
          el("th", { class: "small" }, el("span", { class: "sr" }, t("vis_actions"))),
        );
        const refresh = el("button", { type: "button", class: "ghost", "data-testid": "webhook-log-refresh", onclick: () => loadLog() }, t("wh_refresh"));
        log.replaceChildren(
          rows.length ? el("table", { class: "webhook-log-table small" }, el("thead", {}, head), el("tbody", {}, ...rows)) : el("p", { class: "muted small", "data-testid": "delivery-empty" }, t("wh_nothing_sent")),
          el("div", { class: "team-actions" }, refresh, page.next_cursor ? el("span", { class: "muted small" }, t("wh_newest_50")) : null),
        );
      } catch (e) {
        log.replaceChildren(el("p", { class: "error small" }, e.message));
      }
    }

    function toggleLog() {
      log.hidden = !log.hidden;
      item.classList.toggle("log-open", !log.hidden);
      if (!log.hidden) loadLog();
    }

    item.append(
      el("div", {}, el("strong", {}, w.url), " ", state, " ", el("span", { class: "muted small", "data-testid": "webhook-row-events" }, w.events.join(", ")),
        w.previous_secret_expires_at
          ? el("span", { class: "muted small", "data-testid": "webhook-rotation" }, ` · ${t("wh_previous_until", { when: when(w.previous_secret_expires_at) })}`)
          : null),
      el("div", { class: "team-actions" }, ...buttons.filter(Boolean)),
      problem,
      editor,
      log,
    );
    if (logOpen) toggleLog();
    return item;
  }

  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    urlError.textContent = eventsError.textContent = formError.textContent = "";
    try {
      const created = await api("/webhooks", { method: "POST", token: token(), body: { url: url.value.trim(), events: ticked(boxes) } });
      shown.replaceChildren(...secretShown(t("wh_created", { url: created.url }), created.secret));
      shown.hidden = false;
      url.value = "";
      await render();
    } catch (e) {
      // The URL's checks (scheme, public address) answer 400; a missing field answers 422.
      const target = { url: urlError, events: eventsError }[fieldOf(e)] || (e.status === 400 ? urlError : formError);
      target.textContent = e.message;
    }
  });

  function openDialog() {
    shown.replaceChildren();
    shown.hidden = true;
    if (!dialog.open) dialog.showModal();
    render();
  }

  button.addEventListener("click", openDialog);

  return {
    // On sign-in: admins see the button, and a notice if Parley switched an endpoint off.
    async signedIn(role) {
      button.hidden = role !== "admin";
      if (role !== "admin") return;
      try {
        showNotice((await api("/webhooks", { token: token() })).items);
      } catch {
        /* the notice is a convenience; the dialog shows the error */
      }
    },
  };
}
