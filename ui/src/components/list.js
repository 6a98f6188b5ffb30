// Lists page on the server: a page of `limit` rows, then "Load more" with the cursor the API gave. Filters go to
// the API as query parameters and live in the page's URL, so a filtered view can be shared and reloaded.
import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import { useLocation, useSearch } from "wouter-preact";
import { api } from "../api.js";
import { html } from "../html.js";
import { Empty, ErrorMessage, Loading } from "./feedback.js";

/// Rows of `path` filtered by `query`: {items, error, loading, more, loadMore, reload, setItems}.
export function usePaged(path, query = {}, { limit = 50, enabled = true } = {}) {
  const key = path + JSON.stringify(query);
  const [state, setState] = useState({ items: [], next: null, loading: true, error: null });
  const generation = useRef(0);
  const load = useCallback(
    async (cursor) => {
      const mine = cursor ? generation.current : ++generation.current;
      setState((s) => ({ ...s, loading: true, error: null }));
      try {
        const page = await api.get(path, { ...query, limit, cursor });
        if (mine !== generation.current) return;
        setState((s) => ({
          items: cursor ? [...s.items, ...page.items] : page.items,
          next: page.next_cursor,
          loading: false,
          error: null,
        }));
      } catch (error) {
        if (mine === generation.current) setState((s) => ({ ...s, loading: false, error }));
      }
    },
    [key, limit],
  );
  useEffect(() => {
    if (enabled) load(null);
  }, [key, enabled]);
  return {
    ...state,
    more: Boolean(state.next),
    loadMore: () => load(state.next),
    reload: () => load(null),
    setItems: (update) => setState((s) => ({ ...s, items: update(s.items) })),
  };
}

/// The page's query string as an object, and a setter that replaces it (empty values dropped).
export function useQueryState() {
  const search = useSearch();
  const [location, navigate] = useLocation();
  const values = Object.fromEntries(new URLSearchParams(search));
  const set = (next) => {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries({ ...values, ...next })) if (v !== undefined && v !== null && v !== "") params.set(k, v);
    const text = params.toString();
    navigate(text ? `${location}?${text}` : location, { replace: true });
  };
  return [values, set];
}

/// A scrollable box for a wide table, reachable by keyboard (narrow screens scroll it sideways).
export function TableWrap({ label, children }) {
  return html`<div class="table-wrap" tabindex="0" role="region" aria-label=${label || "Table"}>${children}</div>`;
}

/// A table of `list.items` with a header row; `row(item)` returns the cells. Loading, error and empty states.
export function PagedTable({ list, columns, row, empty = "Nothing here yet.", caption }) {
  if (list.error && list.items.length === 0) return html`<${ErrorMessage} error=${list.error} retry=${list.reload} />`;
  if (list.loading && list.items.length === 0) return html`<${Loading} />`;
  if (list.items.length === 0) return html`<${Empty}>${empty}<//>`;
  return html`<${TableWrap} label=${caption}>
      <table>
        ${caption && html`<caption class="visually-hidden">${caption}</caption>`}
        <thead>
          <tr>
            ${columns.map((c) => html`<th scope="col">${c}</th>`)}
          </tr>
        </thead>
        <tbody>
          ${list.items.map(row)}
        </tbody>
      </table>
    <//>
    <${ErrorMessage} error=${list.items.length ? list.error : null} retry=${list.loadMore} />
    ${list.more &&
    html`<p class="more">
      <button type="button" onClick=${list.loadMore} disabled=${list.loading}>
        ${list.loading ? "Loading…" : "Load more"}
      </button>
    </p>`}`;
}

/// A row of filter controls; `fields` are [{name, label, options?: [[value, text]], placeholder?}].
export function Filters({ values, set, fields }) {
  return html`<form class="filters" role="search" onSubmit=${(e) => e.preventDefault()}>
    ${fields.map((f) => {
      const id = `filter-${f.name}`;
      const value = values[f.name] || "";
      const change = (e) => set({ [f.name]: e.currentTarget.value });
      return html`<label for=${id}>
        <span>${f.label}</span>
        ${f.options
          ? html`<select id=${id} value=${value} onChange=${change}>
              <option value="">Any</option>
              ${f.options.map(([v, t]) => html`<option value=${v}>${t}</option>`)}
            </select>`
          : html`<input id=${id} type=${f.type || "search"} value=${value} placeholder=${f.placeholder || ""}
              onChange=${change} />`}
      </label>`;
    })}
  </form>`;
}
