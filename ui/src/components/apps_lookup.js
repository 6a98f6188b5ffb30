// What the projects and apps views share: the names of projects and servers (the app API gives ids only), the
// app states, and the server's validation messages turned into field errors.
import { useEffect, useState } from "preact/hooks";
import { api } from "../api.js";

export const appStates = ["stopped", "starting", "running", "stopping", "failed"].map((s) => [s, s]);

// Choices for a select and names for a table: one page of the API's largest size (500), not a list view.
const kChoices = 500;

/// {items, error, reload, name(id)} of `path` (projects or servers).
export function useChoices(path) {
  const [state, setState] = useState({ items: [], error: null, loaded: false });
  const load = () =>
    api.get(path, { limit: kChoices }).then(
      (page) => setState({ items: page.items, error: null, loaded: true }),
      (error) => setState((s) => ({ ...s, error, loaded: true })),
    );
  useEffect(() => {
    load();
  }, [path]);
  return { ...state, reload: load, name: (id) => state.items.find((i) => i.id === id)?.name };
}

/// The API says which field is wrong in its detail ("field 'cd_path' must be ...", "app name 'x' is taken"); this
/// puts the message on that field (renamed by `names` where the form calls it otherwise) so useForm shows it there.
export function withFieldErrors(error, names = {}) {
  if (!error?.problem || Object.keys(error.fields || {}).length) return error;
  const detail = error.problem.detail || "";
  const field = detail.match(/^field '([a-z_]+)'/)?.[1] || (/ name '.*' is taken/.test(detail) ? "name" : null);
  if (!field) return error;
  const text = detail.replace(/^field '[a-z_]+':? ?/, "") || detail;
  error.fields = { [names[field] || field]: `${text[0].toUpperCase()}${text.slice(1)}.` };
  return error;
}

/// "60 minutes", "1 minute", "never (0)".
export function limitText(minutes) {
  if (!minutes) return "never (0: no automatic stop)";
  return `${minutes} minute${minutes === 1 ? "" : "s"}`;
}
