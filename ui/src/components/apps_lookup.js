// What the projects and apps views share: the names of projects and servers (the app API gives ids only) and the
// app states.
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

/// "60 minutes", "1 minute", "never (0)".
export function limitText(minutes) {
  if (!minutes) return "never (0: no automatic stop)";
  return `${minutes} minute${minutes === 1 ? "" : "s"}`;
}
