// Webhooks, for admins: register an endpoint (its signing secret is shown once, to copy), see
// whether each one is on or was switched off for failing (when and why), change its URL and
// events, turn it on again, rotate its secret, delete it, and read its delivery log with a
// "Redeliver" per delivery. The dialog is built here, so the page template only has the button.
import { api, el } from "./parley-client.js";

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

const when = (iso) => (iso ? new Date(iso).toLocaleString() : "");

// A 422 says "field: what is wrong"; anything else belongs to the form as a whole.
function fieldOf(e) {
  const m = /^(url|events)[.:]/.exec(e.message || "");
  return m ? m[1] : null;
}

function eventBoxes(prefix, chosen) {
  return el(
    "fieldset",
    { class: "webhook-events", "data-testid": `${prefix}-events` },
    el("legend", { class: "small" }, "Events"),
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
  const value = el("input", { type: "text", readonly: "", value: secret, "data-testid": "webhook-secret", "aria-label": "The signing secret" });
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
          copy.textContent = "Copied";
        } catch {
          copy.textContent = "Select and copy";
        }
      },
    },
    "Copy",
  );
  return [el("p", { class: "small" }, text), el("div", { class: "team-actions" }, value, copy)];
}

export function setupWebhooks({ button, token }) {
  const urlError = el("p", { class: "error small", "data-testid": "webhook-url-error", "aria-live": "polite" });
  const eventsError = el("p", { class: "error small", "data-testid": "webhook-events-error", "aria-live": "polite" });
  const formError = el("p", { class: "error small", "data-testid": "webhook-error", "aria-live": "polite" });
  const url = el("input", { name: "url", type: "url", required: "", maxlength: "2000", placeholder: "https://crm.example.com/parley", "aria-label": "Endpoint URL", "data-testid": "webhook-url" });
  const boxes = eventBoxes("webhook", ["chat.closed"]);
  const form = el(
    "form",
    { "data-testid": "webhook-form", novalidate: "" },
    url,
    urlError,
    boxes,
    eventsError,
    el("div", { class: "team-actions" }, el("button", { class: "primary", "data-testid": "webhook-create" }, "Add endpoint")),
    formError,
  );
  const shown = el("div", { "data-testid": "webhook-shown", hidden: "" });
  const list = el("ul", { class: "team-list", "data-testid": "webhooks-list" });
  const dialog = el(
    "dialog",
    { id: "webhooks-dialog", "data-testid": "webhooks-dialog" },
    el("h3", {}, "Webhooks"),
    el(
      "p",
      { class: "muted small" },
      "Parley POSTs signed events to these URLs (docs/crm.md). An endpoint that keeps failing for a day is switched off; turn it on again once the receiver works.",
    ),
    form,
    shown,
    list,
    el("form", { method: "dialog", class: "dialog-buttons" }, el("button", { class: "ghost" }, "Close")),
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
    const open = el("button", { type: "button", class: "ghost", onclick: () => openDialog() }, "Open webhooks");
    const what = off.map((w) => `${w.url} (since ${when(w.disabled_at)}: ${w.disabled_reason || "failing"})`).join("; ");
    notice.append(`Webhooks switched off after failing: ${what}. `, open);
  }

  async function render() {
    try {
      const endpoints = (await api("/webhooks", { token: token() })).items;
      showNotice(endpoints);
      const open = new Set([...list.querySelectorAll("[data-testid=webhook-row].log-open")].map((r) => r.dataset.id));
      list.replaceChildren(...(endpoints.length ? endpoints.map((w) => row(w, open.has(w.id))) : [el("li", { class: "muted" }, "No webhooks yet.")]));
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
      ? el("span", { class: "small", "data-testid": "webhook-state" }, "enabled")
      : el(
          "span",
          { class: "small error", "data-testid": "webhook-state" },
          w.disabled_at ? `disabled automatically ${when(w.disabled_at)}: ${w.disabled_reason || "kept failing"}` : "disabled",
        );
    const buttons = [
      el("button", { type: "button", class: "ghost", "data-testid": "webhook-edit", onclick: () => toggleEditor() }, "Edit"),
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
            "Enable again",
          ),
      el(
        "button",
        {
          type: "button",
          class: "ghost",
          "data-testid": "webhook-rotate",
          onclick: () =>
            act(async () => {
              if (!confirm(`Make a new signing secret for ${w.url}? The previous one keeps signing beside it for a grace period (24 hours unless the server says otherwise).`)) return;
              const rotated = await api(`/webhooks/${w.id}/secret`, { method: "POST", token: token() });
              shown.replaceChildren(
                ...secretShown(
                  `The new secret of ${w.url} (not shown again). Until ${when(rotated.previous_secret_expires_at)} deliveries are signed with the previous one too.`,
                  rotated.secret,
                ),
              );
              shown.hidden = false;
              await render();
            }),
        },
        "New secret",
      ),
      el("button", { type: "button", class: "ghost", "data-testid": "webhook-deliveries", onclick: () => toggleLog() }, "Deliveries"),
      el(
        "button",
        {
          type: "button",
          class: "ghost",
          "data-testid": "webhook-delete",
          onclick: () =>
            act(async () => {
              if (!confirm(`Delete the webhook ${w.url} and its delivery log?`)) return;
              await api(`/webhooks/${w.id}`, { method: "DELETE", token: token() });
              await render();
            }),
        },
        "Delete",
      ),
    ];

    function toggleEditor() {
      if (!editor.hidden) {
        editor.hidden = true;
        return;
      }
      const editUrl = el("input", { type: "url", value: w.url, maxlength: "2000", "aria-label": "Endpoint URL", "data-testid": "webhook-edit-url" });
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
        "Save",
      );
      editor.replaceChildren(editUrl, editUrlError, editBoxes, editEventsError, el("div", { class: "team-actions" }, save));
      editor.hidden = false;
    }

    async function loadLog() {
      log.replaceChildren(el("p", { class: "muted small" }, "Loading…"));
      try {
        const page = await api(`/webhooks/${w.id}/deliveries?limit=50`, { token: token() });
        const rows = page.items.map((d) =>
          el(
            "tr",
            { "data-testid": "delivery-row", "data-id": d.id, "data-status": d.status },
            el("td", {}, d.event),
            el("td", {}, when(d.created_at)),
            el("td", { "data-testid": "delivery-status" }, d.status),
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
                "Redeliver",
              ),
            ),
          ),
        );
        const head = el(
          "tr",
          {},
          ...["Event", "Time", "Status", "Code", "Response time", "Attempts", "Next retry", "Error", ""].map((h) => el("th", { class: "small" }, h)),
        );
        const refresh = el("button", { type: "button", class: "ghost", "data-testid": "webhook-log-refresh", onclick: () => loadLog() }, "Refresh");
        log.replaceChildren(
          rows.length ? el("table", { class: "webhook-log-table small" }, el("thead", {}, head), el("tbody", {}, ...rows)) : el("p", { class: "muted small", "data-testid": "delivery-empty" }, "Nothing sent yet."),
          el("div", { class: "team-actions" }, refresh, page.next_cursor ? el("span", { class: "muted small" }, "Showing the newest 50.") : null),
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
          ? el("span", { class: "muted small", "data-testid": "webhook-rotation" }, ` · previous secret also signs until ${when(w.previous_secret_expires_at)}`)
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
      shown.replaceChildren(...secretShown(`The signing secret of ${created.url}: copy it now, it is not shown again.`, created.secret));
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
