// Lists page on the server: a page of `limit` rows, then "Load more" with the cursor the API gave. Filters go to
// the API as query parameters and live in the page's URL, so a filtered view can be shared and reloaded.
import { Component } from "preact";
import { useCallback, useEffect, useMemo, useRef, useState } from "preact/hooks";
import { useLocation, useSearch } from "wouter-preact";
import { api } from "../api.js";
import { html } from "../html.js";
import { Empty, ErrorMessage, Loading } from "./feedback.js";

/// Rows of `path` filtered by `query`: {items, error, loading, more, loadMore, reload, retry, setItems}. `retry`
/// repeats the load that failed (the first page, or the page after the rows shown).
export function usePaged(path, query = {}, { limit = 50, enabled = true } = {}) {
  // The page size is part of the key: another size starts the list again, as another filter does.
  const key = `${path}${JSON.stringify(query)}&limit=${limit}`;
  // Rows are kept per page fetched, so appending a page leaves the rows already drawn alone (see PagedTable).
  // `key`: the query the rows answer; `failedCursor`: the cursor of the load that failed, for retry.
  const [state, setState] = useState({ key, pages: [], next: null, loading: true, error: null, failedCursor: null });
  const generation = useRef(0);
  const load = useCallback(
    async (cursor) => {
      const mine = cursor ? generation.current : ++generation.current;
      setState((s) => ({ ...s, loading: true, error: null }));
      try {
        const page = await api.get(path, { ...query, limit, cursor });
        if (mine !== generation.current) return;
        setState((s) => ({
          key,
          pages: cursor ? [...s.pages, page.items] : [page.items],
          next: page.next_cursor,
          loading: false,
          error: null,
          failedCursor: null,
        }));
      } catch (error) {
        if (mine !== generation.current) return;
        // The rows of another query must not stand under this one's error, nor their cursor feed "Load more".
        setState((s) =>
          s.key === key
            ? { ...s, loading: false, error, failedCursor: cursor }
            : { key, pages: [], next: null, loading: false, error, failedCursor: cursor },
        );
      }
    },
    [key],
  );
  useEffect(() => {
    if (enabled) load(null);
  }, [key, enabled]);
  const items = useMemo(() => state.pages.flat(), [state.pages]);
  return {
    ...state,
    items,
    more: Boolean(state.next),
    loadMore: () => load(state.next),
    reload: () => load(null),
    retry: () => load(state.failedCursor),
    setItems: (update) => setState((s) => ({ ...s, pages: [update(s.pages.flat())] })),
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

/// One group of a flow table's rows, drawn again only when its items change: appending the tenth page of a long
/// list must not redraw the nine before it.
class PageRows extends Component {
  shouldComponentUpdate(next) {
    return next.items !== this.props.items;
  }

  render({ items, row }) {
    return items.map(row);
  }
}

// A flow table's rows in groups of 25: a group scrolled into view is laid out alone. Cached per page, so a group
// is the same array on every draw (PageRows then skips it).
const kGroupRows = 25;
const groups = new WeakMap();
function groupsOf(items) {
  let found = groups.get(items);
  if (!found) {
    found = [];
    for (let i = 0; i < items.length; i += kGroupRows) found.push(items.slice(i, i + kGroupRows));
    groups.set(items, found);
  }
  return found;
}

/// A table of `list.items` with a header row; `row(item)` returns the cells. Loading, error and empty states.
/// `flow`: for lists that grow long (servers, tasks): rows come in groups that the browser neither
/// lays out nor paints while it is off screen (content-visibility), and rows are grids of equal columns rather
/// than a table whose layout spans every row. Its rows set role="row" and their cells role="cell" (a table shown
/// as grids keeps its meaning through the ARIA roles). A group is drawn once: a flow table's `row` draws from its
/// item alone. Other tables draw every row each time, so their rows may use any other state of the page.
export function PagedTable({ list, columns, row, empty = "Nothing here yet.", caption, flow = false }) {
  // No rows yet more to load (a page that filters its rows in the browser): the empty text, and the way on.
  if (list.items.length === 0 && list.more) return html`<${Empty}>${empty}<//><${PagedFooter} list=${list} />`;
  if (list.error && list.items.length === 0) return html`<${ErrorMessage} error=${list.error} retry=${list.retry} />`;
  if (list.loading && list.items.length === 0) return html`<${Loading} />`;
  if (list.items.length === 0) return html`<${Empty}>${empty}<//>`;
  const table = flow
    ? html`<table class=${`flow cols-${columns.length}`} role="table" aria-rowcount=${list.items.length + 1}>
        ${caption && html`<caption class="visually-hidden">${caption}</caption>`}
        <thead role="rowgroup">
          <tr role="row">
            ${columns.map((c) => html`<th scope="col" role="columnheader">${c}</th>`)}
          </tr>
        </thead>
        ${list.pages.flatMap((items, i) =>
          groupsOf(items).map(
            (group, j) => html`<tbody key=${`${i}.${j}`} class="page" role="rowgroup">
              <${PageRows} items=${group} row=${row} />
            </tbody>`,
          ),
        )}
      </table>`
    : html`<table>
        ${caption && html`<caption class="visually-hidden">${caption}</caption>`}
        <thead>
          <tr>
            ${columns.map((c) => html`<th scope="col">${c}</th>`)}
          </tr>
        </thead>
        <tbody>
          ${list.items.map(row)}
        </tbody>
      </table>`;
  return html`<${TableWrap} label=${caption}>${table}<//>
    <${PagedFooter} list=${list} />`;
}

/// Under a paged list: the error of the last load with "Try again", and "Load more" while the API has more.
function PagedFooter({ list }) {
  return html`<${ErrorMessage} error=${list.error} retry=${list.retry} />
    ${list.more &&
    html`<p class="more">
      <button type="button" onClick=${list.loadMore} disabled=${list.loading}>
        ${list.loading ? "Loading…" : "Load more"}
      </button>
    </p>`}`;
}

/// A text filter that keeps what is being typed in its own state: the list redrawing after a load must not wipe
/// it. The value goes to the URL (and the API) on change (Enter or leaving the field).
export function FilterText({ value, commit, ...rest }) {
  const [text, setText] = useState(value ?? "");
  useEffect(() => setText(value ?? ""), [value]);
  return html`<input ...${rest} value=${text} onInput=${(e) => setText(e.currentTarget.value)}
    onChange=${(e) => commit(e.currentTarget.value)} />`;
}

/// A row of filter controls; `fields` are [{name, label, options?: [[value, text]], placeholder?}].
export function Filters({ values, set, fields }) {
  return html`<form class="filters" role="search" onSubmit=${(e) => e.preventDefault()}>
    ${fields.map((f) => {
      const id = `filter-${f.name}`;
      const value = values[f.name] || "";
      const change = (e) => set({ [f.name]: e.currentTarget.value });
      // The label beside the control, not around it: a select's name must not take in its chosen value.
      return html`<div class="filter">
        <label for=${id}>${f.label}</label>
        ${f.options
          ? html`<select id=${id} value=${value} onChange=${change}>
              <option value="">Any</option>
              ${f.options.map(([v, t]) => html`<option value=${v}>${t}</option>`)}
            </select>`
          : html`<${FilterText} id=${id} type=${f.type || "search"} value=${value} placeholder=${f.placeholder || ""}
              commit=${(text) => set({ [f.name]: text })} />`}
      </div>`;
    })}
  </form>`;
}
