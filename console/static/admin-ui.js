// The admin page's small shared layer: one way to call the API, one way to build a form whose
// server errors appear next to the field they name, and a few list helpers. No framework: the
// pieces are plain functions over DOM nodes (docs/architecture.md, "The console's front end").
import { api, el } from "./parley-client.js";
import { language, t } from "./i18n.js";

export { el };

// An API call (parley-client's): a refusal becomes an Error with .status, .code and .field.
export { api as request };

// The message as a person reads it beside a field: without the "field: " prefix and pydantic's
// "Value error, ".
export function readable(err) {
  let text = String(err.message || err);
  if (err.field && text.startsWith(err.field + ": ")) text = text.slice(err.field.length + 2);
  return text.replace(/^Value error, /, "");
}

function testid(name) {
  return name.replace(/\./g, "-");
}

// One labelled input. spec: {name, label, type, value, options, help, placeholder, required,
// maxlength, min, max, step, rows, list}. Types: text, email, password, color, number, url,
// textarea, lines (a textarea read as a list, one item a line), csv (a comma list), select,
// checkbox. The error paragraph beside it is [data-testid=error-<name with dashes>].
export function input(spec) {
  const id = `f-${testid(spec.name)}-${Math.random().toString(36).slice(2, 8)}`;
  const common = {
    id,
    name: spec.name,
    "data-testid": `field-${testid(spec.name)}`,
    required: spec.required || false,
    placeholder: spec.placeholder,
    maxlength: spec.maxlength,
    disabled: spec.disabled || false,
  };
  let control;
  const type = spec.type || "text";
  if (type === "textarea" || type === "lines") {
    control = el("textarea", { ...common, rows: spec.rows || (type === "lines" ? 3 : 4) });
    const v = spec.value;
    control.value = control.defaultValue = Array.isArray(v) ? v.join("\n") : v == null ? "" : String(v);
  } else if (type === "select") {
    control = el("select", common, ...(spec.options || []).map((o) => {
      const [value, label] = Array.isArray(o) ? o : [o, o];
      return el("option", { value }, label);
    }));
    control.value = spec.value == null ? "" : String(spec.value);
    // What form.reset() returns to: the value the form was built with.
    for (const option of control.options) option.defaultSelected = option.value === control.value;
  } else if (type === "checkbox") {
    control = el("input", { ...common, type: "checkbox" });
    control.checked = control.defaultChecked = Boolean(spec.value);
  } else {
    control = el("input", {
      ...common,
      type: type === "csv" ? "text" : type,
      min: spec.min,
      max: spec.max,
      step: spec.step,
      list: spec.list,
      autocomplete: type === "password" ? "new-password" : "off",
    });
    const v = spec.value;
    control.value = control.defaultValue = Array.isArray(v) ? v.join(", ") : v == null ? "" : String(v);
  }
  control.dataset.kind = type;
  const error = el("p", { class: "field-error error small", "data-testid": `error-${testid(spec.name)}`, "aria-live": "polite", hidden: true });
  control.setAttribute("aria-describedby", id + "-err");
  error.id = id + "-err";
  const label = type === "checkbox"
    ? el("label", { class: "check", for: id }, control, " ", spec.label)
    : el("label", { for: id }, spec.label);
  const parts = type === "checkbox" ? [label] : [label, control];
  if (spec.help) parts.push(el("p", { class: "muted small help" }, spec.help));
  return el("div", { class: "field", "data-field": spec.name }, ...parts, error);
}

// The value of one control as the API wants it.
function valueOf(control) {
  switch (control.dataset.kind) {
    case "checkbox":
      return control.checked;
    case "number":
      return control.value === "" ? null : Number(control.value);
    case "lines":
      return control.value.split("\n").map((s) => s.trim()).filter(Boolean);
    case "csv":
      return control.value.split(",").map((s) => s.trim()).filter(Boolean);
    default:
      return control.value;
  }
}

// Every named control of a node as one object; dotted names nest ("admin.email").
export function values(root) {
  const out = {};
  for (const control of root.querySelectorAll("[name]")) {
    if (control.disabled) continue;
    const path = control.name.split(".");
    let at = out;
    for (const key of path.slice(0, -1)) at = at[key] = at[key] || {};
    at[path[path.length - 1]] = valueOf(control);
  }
  return out;
}

export function clearErrors(root) {
  for (const p of root.querySelectorAll(".field-error, .form-error")) {
    p.textContent = "";
    p.hidden = true;
  }
  for (const f of root.querySelectorAll(".field.invalid")) f.classList.remove("invalid");
}

// Shows a refusal next to the field it names (or the nearest enclosing one: "departments.0"
// for "departments.0.skill"), else at the form's foot.
export function showError(root, err) {
  let name = err.field;
  while (name) {
    const field = root.querySelector(`.field[data-field="${CSS.escape(name)}"]`);
    if (field) {
      const p = field.querySelector(":scope > .field-error");
      p.textContent = readable(err);
      p.hidden = false;
      field.classList.add("invalid");
      const control = field.querySelector("[name]");
      if (control) control.focus();
      return;
    }
    name = name.includes(".") ? name.slice(0, name.lastIndexOf(".")) : "";
  }
  const foot = root.querySelector(".form-error");
  if (foot) {
    foot.textContent = readable(err);
    foot.hidden = false;
  }
}

// A form of fields whose submit calls `save(values)`; the server's refusal is shown beside the
// field. spec: {fields, submit, testid, readOnly, done(result), extra (nodes after fields)}.
// No browser-side checks: the server's are the ones that count, and they show where they apply.
export function form(spec) {
  const fields = spec.fields.map((f) => input({ ...f, disabled: f.disabled || spec.readOnly }));
  const status = el("p", { class: "muted small form-status", "aria-live": "polite" });
  const submit = el("button", { type: "submit", class: "primary", "data-testid": `${spec.testid}-submit`, hidden: spec.readOnly || false }, spec.submit || t("adm_save"));
  const node = el(
    "form",
    { class: "admin-form", "data-testid": spec.testid, novalidate: true },
    ...fields,
    ...(spec.extra || []),
    el("p", { class: "form-error error small", "data-testid": `${spec.testid}-error`, "aria-live": "polite", hidden: true }),
    el("div", { class: "form-buttons" }, submit, status),
  );
  node.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    clearErrors(node);
    status.textContent = "";
    submit.disabled = true;
    try {
      const result = await spec.save(values(node), node);
      status.textContent = spec.saved || t("adm_saved");
      if (spec.done) await spec.done(result, node);
    } catch (e) {
      showError(node, e);
    } finally {
      submit.disabled = false;
    }
  });
  return node;
}

// A card with its heading; the card is labelled by it (a landmark a screen reader can jump to).
export function section(title, ...kids) {
  const id = `s-${Math.random().toString(36).slice(2, 8)}`;
  return el("section", { class: "admin-card", "aria-labelledby": id }, el("h2", { id }, title), ...kids);
}

// Dates and numbers as the chosen language writes them.
export function when(iso) {
  return iso ? new Date(iso).toLocaleString(language(), { dateStyle: "medium", timeStyle: "short" }) : "";
}

export function number(n) {
  return new Intl.NumberFormat(language()).format(n);
}

// A button's action whose refusal is shown in `problem` (a paragraph beside the button), not
// in an alert box: the same place and wording as a form's.
export function guarded(problem, action) {
  return async () => {
    problem.textContent = "";
    problem.hidden = true;
    try {
      await action();
    } catch (e) {
      problem.textContent = readable(e);
      problem.hidden = false;
    }
  };
}

export function problemBox(testid) {
  return el("p", { class: "error small", "data-testid": testid, "aria-live": "polite", hidden: true });
}

export function note(text) {
  return el("p", { class: "muted small" }, text);
}

// A copy button for a block of text; says "Copied" when the clipboard took it.
export function copyBlock(text, id) {
  const code = el("pre", { class: "snippet", "data-testid": id }, text);
  const said = el("span", { class: "muted small", "aria-live": "polite" });
  const button = el("button", {
    type: "button",
    class: "ghost",
    "data-testid": `${id}-copy`,
    onclick: async () => {
      try {
        await navigator.clipboard.writeText(code.textContent);
        said.textContent = t("adm_copied");
      } catch {
        // Without clipboard access (an http page, a refusal) the text is selected to copy by hand.
        const range = document.createRange();
        range.selectNodeContents(code);
        getSelection().removeAllRanges();
        getSelection().addRange(range);
        said.textContent = t("adm_copy_by_hand");
      }
    },
  }, t("adm_copy"));
  return el("div", { class: "copy-block" }, code, el("div", { class: "form-buttons" }, button, said));
}
