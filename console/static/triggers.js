// Proactive-invitation triggers, for admins: the list (GET /triggers), a form of rows to create
// and edit them (POST, PATCH /triggers/{id}), enable/disable and delete, a live preview of the
// teaser drawn with the widget's own stylesheet and markup (widget/loader.css, widget/src/teaser.js),
// and "Test", which asks the server whether the trigger would invite on a made-up visit and why
// not (POST /triggers/preview). The rules and their operators are docs/triggers.md's.
import { TOKEN_KEY, api, el } from "./parley-client.js";
import { applyTexts, language, t } from "./i18n.js";

applyTexts();
// The tab's title in the console's language too: the brand line ("Parley · Archive").
document.title = document.querySelector(".brand").textContent.trim();

const $ = (sel, root = document) => root.querySelector(sel);
const $$ = (sel, root = document) => Array.from(root.querySelectorAll(sel));
const token = localStorage.getItem(TOKEN_KEY);
if (!token) location.href = "/console";

// Each field's operators and the kind of value it takes (app/triggers/rules.py FIELD_OPS).
const FIELDS = {
  url: { label: t("f_url"), ops: ["contains", "equals", "glob", "regex"], kind: "text" },
  time_on_page_s: { label: t("f_time_on_page"), ops: ["gte", "lte"], kind: "number" },
  time_on_site_s: { label: t("f_time_on_site"), ops: ["gte", "lte"], kind: "number" },
  page_views: { label: t("f_page_views"), ops: ["gte", "lte"], kind: "number" },
  visit_count: { label: t("f_visit_count"), ops: ["gte", "lte"], kind: "number" },
  returning: { label: t("f_returning"), ops: ["is"], kind: "bool" },
  cart_value: { label: t("cart_value"), ops: ["gte", "lte"], kind: "number" },
  referrer: { label: t("f_referrer"), ops: ["contains"], kind: "text" },
  language: { label: t("f_language"), ops: ["equals"], kind: "text" },
  event: { label: t("f_event"), ops: ["equals"], kind: "text" },
};
const OPS = {
  contains: t("op_contains"),
  equals: t("op_is"),
  glob: t("op_glob"),
  regex: t("op_regex"),
  gte: t("op_gte"),
  lte: t("op_lte"),
  is: t("op_is"),
};
const numbers = new Intl.NumberFormat(language(), { maximumFractionDigits: 2 });
const MAX_VARIANTS = 5;

let editing = null; // the trigger being edited (null: a new one)
let me = null; // the signed-in admin, shown in the preview as who would answer

function banner(text) {
  $("#banner").textContent = text;
  $("#banner").hidden = !text;
}

// ------------------------------------------------------------------ the list

/** A rule's value as shown: yes/no for a switch, numbers with the language's separators. */
function shownValue(value) {
  if (typeof value === "boolean") return t(value ? "yes" : "no");
  if (typeof value === "number") return numbers.format(value);
  return String(value);
}

function summary(trigger) {
  const rules = trigger.conditions.rules.map((r) => `${(FIELDS[r.field] || {}).label || r.field} ${OPS[r.op] || r.op} ${shownValue(r.value)}`);
  return rules.join(` ${trigger.conditions.match === "all" ? t("trig_and") : t("trig_or")} `);
}

async function loadList() {
  try {
    const items = [];
    let cursor = null;
    do {
      const page = await api(`/triggers?limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`, { token });
      items.push(...page.items);
      cursor = page.next_cursor;
    } while (cursor);
    renderList(items);
    banner("");
  } catch (e) {
    banner(e.status === 403 ? t("trig_forbidden") : t("trig_load_failed", { error: e.message }));
  }
}

function renderList(items) {
  $("[data-testid=trigger-empty]").hidden = items.length > 0;
  $("[data-testid=trigger-list] tbody").replaceChildren(
    ...items.map((trigger) =>
      el(
        "tr",
        { dataset: { triggerId: trigger.id }, "data-testid": "trigger-row" },
        el("td", { text: trigger.name }),
        el("td", { "data-testid": "trigger-state", text: t(trigger.enabled ? "trig_enabled" : "trig_disabled") }),
        el("td", {
          class: "muted small",
          text: summary(trigger) + (trigger.variants.length > 1 ? ` · ${t("trig_n_variants", { n: trigger.variants.length })}` : ""),
        }),
        el("td", { text: numbers.format(trigger.invitations.fired) }),
        el("td", { text: numbers.format(trigger.invitations.shown) }),
        el("td", { text: numbers.format(trigger.invitations.accepted) }),
        el(
          "td",
          { class: "trigger-list-actions" },
          el("button", {
            type: "button",
            "data-testid": "trigger-edit",
            text: t("edit"),
            "aria-label": t("trig_edit_named", { name: trigger.name }),
            onclick: () => openEditor(trigger),
          }),
          el("button", {
            type: "button",
            "data-testid": "trigger-toggle",
            text: t(trigger.enabled ? "trig_disable" : "trig_enable"),
            "aria-label": t(trigger.enabled ? "trig_disable_named" : "trig_enable_named", { name: trigger.name }),
            onclick: () => toggle(trigger),
          }),
          el("button", {
            type: "button",
            "data-testid": "trigger-delete",
            text: t("delete"),
            "aria-label": t("trig_delete_named", { name: trigger.name }),
            onclick: () => remove(trigger),
          }),
        ),
      ),
    ),
  );
}

async function toggle(trigger) {
  try {
    await api(`/triggers/${encodeURIComponent(trigger.id)}`, { method: "PATCH", token, body: { enabled: !trigger.enabled } });
    await loadList();
  } catch (e) {
    banner(t("trig_change_failed", { error: e.message }));
  }
}

async function remove(trigger) {
  if (!window.confirm(t("trig_confirm_delete", { name: trigger.name }))) return;
  try {
    await api(`/triggers/${encodeURIComponent(trigger.id)}`, { method: "DELETE", token });
    if (editing && editing.id === trigger.id) closeEditor();
    await loadList();
  } catch (e) {
    banner(t("trig_delete_failed", { error: e.message }));
  }
}

// ------------------------------------------------------------------ the form

const form = () => $("#trigger-form");

function errorSlot(key) {
  return el("p", { class: "field-error", dataset: { errorFor: key }, hidden: true });
}

function valueInput(kind, value) {
  if (kind === "bool") {
    const select = el(
      "select",
      { "data-testid": "rule-value", "aria-label": t("trig_value") },
      el("option", { value: "true", text: t("yes") }),
      el("option", { value: "false", text: t("no") }),
    );
    select.value = value === false ? "false" : "true";
    return select;
  }
  return el("input", {
    "data-testid": "rule-value",
    "aria-label": t("trig_value"),
    type: kind === "number" ? "number" : "text",
    min: kind === "number" ? "0" : undefined,
    step: kind === "number" ? "any" : undefined,
    value: value === undefined || value === null ? "" : String(value),
  });
}

/** One rule row: the field, the operators that field takes, a value input of its kind. */
function ruleRow(rule = { field: "url", op: "contains", value: "" }) {
  const li = el("li", { class: "rule-row", "data-testid": "rule-row" });
  const field = el(
    "select",
    { "data-testid": "rule-field", "aria-label": t("trig_field") },
    ...Object.entries(FIELDS).map(([key, f]) => el("option", { value: key, text: f.label })),
  );
  field.value = rule.field;
  const op = el("select", { "data-testid": "rule-op", "aria-label": t("trig_operator") });
  let value = valueInput(FIELDS[rule.field].kind, rule.value);
  const fillOps = (selected) => {
    op.replaceChildren(...FIELDS[field.value].ops.map((o) => el("option", { value: o, text: OPS[o] })));
    op.value = FIELDS[field.value].ops.includes(selected) ? selected : FIELDS[field.value].ops[0];
  };
  fillOps(rule.op);
  field.addEventListener("change", () => {
    fillOps(op.value);
    const fresh = valueInput(FIELDS[field.value].kind, "");
    value.replaceWith(fresh);
    value = fresh;
  });
  const drop = el("button", {
    type: "button",
    class: "ghost",
    "data-testid": "rule-remove",
    "aria-label": t("trig_remove_rule"),
    text: "×",
    onclick: () => {
      if ($$("[data-testid=rule-row]").length > 1) li.remove();
      renumber();
    },
  });
  li.append(field, op, value, drop, errorSlot(""));
  return li;
}

/** One variant row: its id (kept, so counts stay with it), text and weight. */
function variantRow(variant) {
  const li = el("li", { class: "variant-row", "data-testid": "variant-row" });
  const id = el("input", { "data-testid": "variant-id", "aria-label": t("trig_variant_id"), maxlength: "32", value: variant.id });
  const message = el("textarea", {
    "data-testid": "variant-message",
    "aria-label": t("trig_message"),
    maxlength: "1000",
    rows: "2",
    placeholder: t("trig_message_hint"),
  });
  message.value = variant.message || "";
  const weight = el("input", {
    "data-testid": "variant-weight",
    "aria-label": t("trig_weight"),
    type: "number",
    min: "0",
    step: "any",
    value: String(variant.weight === undefined ? 1 : variant.weight),
  });
  const drop = el("button", {
    type: "button",
    class: "ghost",
    "data-testid": "variant-remove",
    "aria-label": t("trig_remove_variant"),
    text: "×",
    onclick: () => {
      if ($$("[data-testid=variant-row]").length > 1) li.remove();
      renumber();
      renderPreview();
    },
  });
  for (const input of [id, message, weight]) input.addEventListener("input", renderPreview);
  message.addEventListener("focus", () => {
    $("[data-testid=preview-variant]").value = String(rowsOf("variant").indexOf(li));
    renderPreview();
  });
  li.append(id, message, weight, drop, errorSlot(""));
  return li;
}

const rowsOf = (kind) => $$(`[data-testid=${kind}-row]`);

/** Error slots of rows follow their position, as the server names them (conditions.rules.1). */
function renumber() {
  rowsOf("rule").forEach((li, i) => (li.querySelector(".field-error").dataset.errorFor = `conditions.rules.${i}`));
  rowsOf("variant").forEach((li, i) => (li.querySelector(".field-error").dataset.errorFor = `variants.${i}`));
  $("[data-testid=variant-add]").disabled = rowsOf("variant").length >= MAX_VARIANTS;
}

function nextVariantId() {
  const used = new Set(rowsOf("variant").map((li) => $("[data-testid=variant-id]", li).value));
  for (const c of "abcdefghijklmnopqrstuvwxyz") if (!used.has(c)) return c;
  return `v${used.size + 1}`;
}

function ruleValue(li) {
  const field = $("[data-testid=rule-field]", li).value;
  const raw = $("[data-testid=rule-value]", li).value;
  const kind = FIELDS[field].kind;
  if (kind === "bool") return raw === "true";
  if (kind === "number") return raw.trim() === "" ? "" : Number(raw);
  return raw;
}

/** The trigger as the API takes it, read from the form. */
function body() {
  const f = form();
  const skill = f.elements.skill.value.trim();
  return {
    name: f.elements.name.value,
    enabled: f.elements.enabled.checked,
    conditions: {
      match: f.elements.match.value,
      rules: rowsOf("rule").map((li) => ({
        field: $("[data-testid=rule-field]", li).value,
        op: $("[data-testid=rule-op]", li).value,
        value: ruleValue(li),
      })),
    },
    exclude_urls: f.elements.exclude_urls.value
      .split("\n")
      .map((line) => line.trim())
      .filter(Boolean),
    variants: rowsOf("variant").map((li) => ({
      id: $("[data-testid=variant-id]", li).value.trim(),
      message: $("[data-testid=variant-message]", li).value,
      weight: Number($("[data-testid=variant-weight]", li).value),
    })),
    open_panel: f.elements.open_panel.checked,
    when_unavailable: f.elements.when_unavailable.checked,
    skill: skill || null,
  };
}

function openEditor(trigger) {
  editing = trigger || null;
  clearErrors();
  const f = form();
  f.reset();
  $("#editor-title").textContent = trigger ? t("trig_edit_named", { name: trigger.name }) : t("trig_new");
  f.elements.name.value = trigger ? trigger.name : "";
  f.elements.enabled.checked = trigger ? trigger.enabled : true;
  f.elements.match.value = trigger ? trigger.conditions.match : "all";
  $("[data-testid=rule-rows]").replaceChildren(...(trigger ? trigger.conditions.rules.map(ruleRow) : [ruleRow()]));
  f.elements.exclude_urls.value = trigger ? trigger.exclude_urls.join("\n") : "";
  $("[data-testid=variant-rows]").replaceChildren(
    ...(trigger ? trigger.variants : [{ id: "a", message: "", weight: 1 }]).map(variantRow),
  );
  f.elements.open_panel.checked = trigger ? trigger.open_panel : false;
  f.elements.when_unavailable.checked = trigger ? trigger.when_unavailable : false;
  f.elements.skill.value = trigger && trigger.skill ? trigger.skill : "";
  renumber();
  $("[data-testid=test-result]").hidden = true;
  $("[data-testid=trigger-editor]").hidden = false;
  renderPreview();
  f.elements.name.focus();
}

function closeEditor() {
  editing = null;
  $("[data-testid=trigger-editor]").hidden = true;
}

function clearErrors() {
  for (const slot of $$(".field-error")) {
    slot.textContent = "";
    slot.hidden = true;
  }
}

/** Shows a server message ("conditions.rules.1: value of ... must be ...") next to the field it
 * names: the slot with the longest matching prefix of its path. */
function showError(message, prefix = "") {
  const match = /^([\w.]+): (.*)$/s.exec(message);
  let path = match ? match[1] : "body";
  let text = match ? match[2] : message;
  text = text.replace(/^Value error, /, "");
  if (prefix && path.startsWith(prefix + ".")) path = path.slice(prefix.length + 1);
  else if (prefix && path === "visit") path = "visit";
  if (path === "message") path = "variants"; // the form always sends variants
  const parts = path.split(".");
  for (let n = parts.length; n > 0; n--) {
    const slot = $(`.field-error[data-error-for="${parts.slice(0, n).join(".")}"]`);
    if (slot) {
      slot.textContent = (n < parts.length ? parts.slice(n).join(".") + ": " : "") + text;
      slot.hidden = false;
      return;
    }
  }
  const fallback = $('.field-error[data-error-for="body"]');
  fallback.textContent = `${path}: ${text}`;
  fallback.hidden = false;
}

async function save(ev) {
  ev.preventDefault();
  clearErrors();
  const data = body();
  try {
    if (editing) {
      await api(`/triggers/${encodeURIComponent(editing.id)}`, { method: "PATCH", token, body: data });
    } else {
      await api("/triggers", { method: "POST", token, body: data });
    }
    closeEditor();
    await loadList();
  } catch (e) {
    if (e.status === 422) showError(e.message);
    else banner(t("trig_save_failed", { error: e.message }));
  }
}

// ------------------------------------------------------------------ the preview

function initials(name) {
  const parts = String(name || "").trim().split(/\s+/).filter(Boolean).slice(0, 2);
  return parts.map((p) => Array.from(p)[0]).join("").toUpperCase() || "?";
}

/** The teaser as widget/src/teaser.js draws it (same classes, same stylesheet, in a shadow root
 * like on the shop): the agent's photo or initials and name, unless the shop invites; the text. */
function teaser(message, agent) {
  let photo = null;
  if (agent) {
    photo = el("span", { class: "teaser__photo", "aria-hidden": "true" });
    if (agent.avatar_url) photo.append(el("img", { src: agent.avatar_url, alt: "" }));
    else {
      photo.textContent = initials(agent.name);
      photo.classList.add("teaser__photo--initials");
    }
  }
  const box = el(
    "div",
    { class: "teaser", role: "group", "aria-label": t("trig_invitation") },
    el(
      "button",
      { type: "button", class: "teaser__open", tabindex: "-1" },
      photo,
      el(
        "span",
        { class: "teaser__text" },
        agent ? el("span", { class: "teaser__name", text: agent.name }) : null,
        el("span", { class: "teaser__message", "data-testid": "preview-message", text: message.slice(0, 500) }),
      ),
    ),
    el("button", { type: "button", class: "teaser__close", tabindex: "-1", text: "×", "aria-hidden": "true" }),
  );
  // Redrawn on every keystroke: without the widget's rise-in it does not flicker, and its
  // colours are final at once (a fading teaser reads as too little contrast).
  box.style.animation = "none";
  return box;
}

let stage = null;

function renderPreview() {
  if (!stage) {
    // The widget's stylesheet resets its host (`:host { all: initial }`), so the shadow root
    // hangs on an inner element and the framed stage keeps its own box.
    const host = el("div");
    $("[data-testid=teaser-preview]").append(host);
    const shadow = host.attachShadow({ mode: "open" });
    shadow.append(el("link", { rel: "stylesheet", href: "/widget/loader.css" }));
    stage = el("div", { class: "root" });
    // Set through the CSSOM: the console's CSP refuses style attributes.
    Object.assign(stage.style, { position: "absolute", top: "0", right: "16px", bottom: "0", width: "300px" });
    shadow.append(stage);
  }
  const variants = rowsOf("variant");
  const chooser = $("[data-testid=preview-variant]");
  const chosen = Math.min(Number(chooser.value) || 0, variants.length - 1);
  chooser.replaceChildren(
    ...variants.map((li, i) => {
      const id = $("[data-testid=variant-id]", li).value || `#${i + 1}`;
      return el("option", { value: String(i), text: `${id} (${t("weight_n", { weight: $("[data-testid=variant-weight]", li).value || "?" })})` });
    }),
  );
  chooser.value = String(Math.max(0, chosen));
  const li = variants[Math.max(0, chosen)];
  const message = li ? $("[data-testid=variant-message]", li).value.trim() : "";
  const f = form();
  const asShop = f.elements.when_unavailable.checked && !me;
  stage.replaceChildren(teaser(message || t("trig_your_message"), asShop ? null : me));
  $("[data-testid=preview-note]").textContent = f.elements.open_panel.checked
    ? t("trig_note_panel")
    : me
      ? t("trig_note_agent", { name: me.name })
      : "";
}

// ------------------------------------------------------------------ the test

function sampleVisit() {
  const f = $("#test-form");
  const num = (name) => (f.elements[name].value.trim() === "" ? undefined : Number(f.elements[name].value));
  const text = (name) => f.elements[name].value.trim() || undefined;
  return {
    url: f.elements.url.value.trim(),
    time_on_page_s: num("time_on_page_s"),
    time_on_site_s: num("time_on_site_s"),
    page_views: num("page_views"),
    visit_count: num("visit_count"),
    cart_value: num("cart_value"),
    referrer: text("referrer"),
    language: text("language"),
    events: f.elements.events.value
      .split(",")
      .map((e) => e.trim())
      .filter(Boolean),
  };
}

async function runTest(ev) {
  ev.preventDefault();
  clearErrors();
  const out = $("[data-testid=test-result]");
  const data = body();
  if (!data.name.trim()) data.name = t("trig_untitled");
  try {
    const r = await api("/triggers/preview", { method: "POST", token, body: { trigger: data, visit: sampleVisit() } });
    out.className = "test-result " + (r.fires ? "fires" : "not");
    const parts = [
      el("strong", { "data-testid": "test-verdict", text: t(r.fires ? "trig_would" : "trig_would_not") }),
      r.fires && r.agent ? el("span", { text: ` ${t("trig_shown_with", { name: r.agent.name })}` }) : null,
      r.reasons.length
        ? el("ul", { "data-testid": "test-reasons" }, ...r.reasons.map((reason) => el("li", { text: reason })))
        : null,
      el(
        "ul",
        { class: "muted small", "data-testid": "test-rules" },
        ...r.rules.map((rule, i) =>
          el("li", {
            text: `${t("trig_rule_n", { n: i + 1 })} (${(FIELDS[rule.field] || {}).label || rule.field} ${OPS[rule.op] || rule.op} ${shownValue(rule.value)}): ${rule.note}`,
          }),
        ),
      ),
    ];
    out.replaceChildren(...parts.filter(Boolean));
    out.hidden = false;
  } catch (e) {
    out.hidden = true;
    if (e.status === 422) {
      const path = (/^([\w.]+):/.exec(e.message) || [])[1] || "";
      showError(e.message, path.startsWith("trigger.") ? "trigger" : "");
    } else banner(t("trig_test_failed", { error: e.message }));
  }
}

// ------------------------------------------------------------------ start

$("[data-testid=trigger-new]").addEventListener("click", () => openEditor(null));
$("[data-testid=trigger-cancel]").addEventListener("click", closeEditor);
$("[data-testid=rule-add]").addEventListener("click", () => {
  $("[data-testid=rule-rows]").append(ruleRow());
  renumber();
});
$("[data-testid=variant-add]").addEventListener("click", () => {
  if (rowsOf("variant").length >= MAX_VARIANTS) return;
  $("[data-testid=variant-rows]").append(variantRow({ id: nextVariantId(), message: "", weight: 1 }));
  renumber();
  renderPreview();
});
$("[data-testid=preview-variant]").addEventListener("change", renderPreview);
form().addEventListener("submit", save);
form().addEventListener("change", renderPreview);
$("#test-form").addEventListener("submit", runTest);

api("/agents/me", { token })
  .then((agent) => {
    me = agent;
    if (!$("[data-testid=trigger-editor]").hidden) renderPreview();
  })
  .catch(() => {});
loadList();
