// What the projects and apps views share: the names of projects and servers (the app API gives ids only) and the
// app states.
import { useResource } from "./resource.js";

export const appStates = ["stopped", "starting", "running", "stopping", "failed"].map((s) => [s, s]);

// Choices for a select and names for a table: one page of the API's largest size (500), not a list view.
const kChoices = 500;

/// {items, error, reload, name(id)} of `path` (projects or servers).
export function useChoices(path) {
  const page = useResource(path, { limit: kChoices });
  const items = page.data?.items || [];
  return {
    items,
    error: page.error,
    loaded: Boolean(page.data || page.error),
    reload: () => page.reload(),
    name: (id) => items.find((i) => i.id === id)?.name,
  };
}

/// "60 minutes", "1 minute", "never (0)".
export function limitText(minutes) {
  if (!minutes) return "never (0: no automatic stop)";
  return `${minutes} minute${minutes === 1 ? "" : "s"}`;
}
