// Forms: checked in the browser before sending, the server's field errors shown next to their fields, the
// problem's detail above the buttons.
import { useState } from "preact/hooks";
import { html } from "../html.js";
import { errorText } from "./feedback.js";

/// {values, set, setValues, errors, setErrors, error, setError, busy, submit}. `validate(values)` returns
/// {field: message}.
export function useForm(initial, validate = () => ({})) {
  const [values, setValues] = useState(initial);
  const [errors, setErrors] = useState({});
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const set = (name, value) => setValues((v) => ({ ...v, [name]: value }));
  const submit = (action) => async (event) => {
    event?.preventDefault();
    const found = validate(values) || {};
    setErrors(found);
    setError(null);
    if (Object.keys(found).length) {
      setError("Please correct the fields marked below.");
      return;
    }
    setBusy(true);
    try {
      await action(values);
    } catch (e) {
      setErrors(e.fields || {});
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return { values, set, setValues, errors, setErrors, error, busy, submit, setError };
}

/// `error` with its server field errors (ApiError.fields, {api field: message}) under the form's names: `map` is
/// {api field: form field}, a key also taking the fields under it ("expr" takes "expr.window_s"); unmapped names
/// stay. Returns the same error, for rethrowing.
export function renameFields(error, map = {}) {
  if (!error?.fields) return error;
  const renamed = {};
  for (const [name, message] of Object.entries(error.fields)) {
    const key = Object.hasOwn(map, name) ? name : Object.keys(map).find((k) => name.startsWith(`${k}.`));
    const to = key === undefined ? name : map[key];
    if (!Object.hasOwn(renamed, to)) renamed[to] = message;
  }
  error.fields = renamed;
  return error;
}

let nextId = 0;
function useId(prefix) {
  const [id] = useState(() => `${prefix}-${++nextId}`);
  return id;
}

/// A labelled control bound to `form.values[name]`. type: text, password, number, textarea, select (options
/// [[value, text]]), checkbox, file.
export function Field({ form, name, label, type = "text", options, hint, required, ...rest }) {
  const id = useId(`f-${name}`);
  const error = form.errors[name];
  const describedBy = [hint && `${id}-hint`, error && `${id}-error`].filter(Boolean).join(" ") || undefined;
  const value = form.values[name];
  const common = {
    id,
    name,
    "aria-invalid": error ? "true" : undefined,
    "aria-describedby": describedBy,
    required,
    ...rest,
  };
  let control;
  if (type === "textarea") {
    control = html`<textarea ...${common} value=${value ?? ""} onInput=${(e) => form.set(name, e.currentTarget.value)} />`;
  } else if (type === "select") {
    control = html`<select ...${common} value=${value ?? ""} onChange=${(e) => form.set(name, e.currentTarget.value)}>
      ${options.map(([v, t]) => html`<option value=${v}>${t}</option>`)}
    </select>`;
  } else if (type === "checkbox") {
    control = html`<input ...${common} type="checkbox" checked=${Boolean(value)}
      onChange=${(e) => form.set(name, e.currentTarget.checked)} />`;
  } else {
    control = html`<input ...${common} type=${type} value=${value ?? ""}
      onInput=${(e) => form.set(name, e.currentTarget.value)} />`;
  }
  return html`<div class=${`field ${type === "checkbox" ? "check" : ""} ${error ? "invalid" : ""}`}>
    <label for=${id} class=${required ? "required" : undefined}>${label}</label>
    ${control}
    ${hint && html`<small id=${`${id}-hint`} class="hint">${hint}</small>`}
    ${error && html`<small id=${`${id}-error`} class="field-error">${error}</small>`}
  </div>`;
}

export function FormError({ form }) {
  if (!form.error) return null;
  return html`<div class="error" role="alert">${errorText(form.error)}</div>`;
}

export function Submit({ form, children, ...rest }) {
  return html`<button type="submit" class="primary" disabled=${form.busy} ...${rest}>
    ${form.busy ? "Working…" : children}
  </button>`;
}

/// Field checks shared by the forms.
export const check = {
  required: (v) => (v === undefined || v === null || String(v).trim() === "" ? "Required." : null),
  port: (v) => (v === "" || v === undefined || (Number.isInteger(Number(v)) && v >= 1 && v <= 65535) ? null : "A port from 1 to 65535."),
  positive: (v) => (v === "" || v === undefined || (Number.isInteger(Number(v)) && Number(v) > 0) ? null : "A whole number above 0."),
  /// No more than `n` characters; `trimmed`: counted without the spaces around it (what a form that trims sends).
  maxLength:
    (n, { trimmed = false } = {}) =>
    (v) => {
      const text = String(v ?? "");
      return (trimmed ? text.trim() : text).length > n ? `At most ${n} characters.` : null;
    },
};

/// Runs `rules` {field: [check, ...]} over values: {field: first message}.
export function validateWith(rules) {
  return (values) => {
    const errors = {};
    for (const [name, list] of Object.entries(rules)) {
      for (const rule of list) {
        const message = rule(values[name], values);
        if (message) {
          errors[name] = message;
          break;
        }
      }
    }
    return errors;
  };
}
