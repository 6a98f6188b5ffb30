// What the API answers, loaded the same way on every page: useResource asks once (again on reload) and keeps the
// last answer while asking again; useLive renews its answer every few seconds, one request at a time.
// Their reload / refresh take query parameters to add: hand them a function, never as a click handler (the
// click's event would become the query).
import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import { api } from "../api.js";

/// GET `path` with `query` whenever either changes: {data, error, loading, reload(extra), set(data)}. The last
/// answer stays while a new one is on its way; an answer that arrives after a newer request was made is dropped.
/// A changed path or query starts empty, unless `keep` (a chart keeps the old range drawn until the new one comes).
/// `set` puts an answer the page already has (a PATCH's) in place of the loaded one.
export function useResource(path, query = {}, { enabled = true, keep = false } = {}) {
  const key = path + JSON.stringify(query);
  const [state, setState] = useState({ key, data: null, error: null, loading: enabled });
  const generation = useRef(0);
  const load = async (extra = {}) => {
    const mine = ++generation.current;
    setState((s) => ({ ...s, loading: true, error: null }));
    try {
      const data = await api.get(path, { ...query, ...extra });
      if (mine === generation.current) setState({ key, data, error: null, loading: false });
    } catch (error) {
      if (mine === generation.current) setState((s) => ({ ...s, key, error, loading: false }));
    }
  };
  const set = (data) => {
    generation.current += 1;
    setState({ key, data, error: null, loading: false });
  };
  useEffect(() => {
    if (!enabled) return undefined;
    if (!keep) setState({ key, data: null, error: null, loading: true });
    load();
    return () => {
      generation.current += 1;
    };
  }, [key, enabled]);
  // Between a change of path or query and its effect, what is held belongs to the old one.
  if (!keep && state.key !== key) return { data: null, error: null, loading: enabled, reload: load, set };
  return { data: state.data, error: state.error, loading: state.loading, reload: load, set };
}

/// {data, error, loading, at, refresh(extra), set(data)} of GET `source` (a path) with `query`, asked again
/// `interval` ms after the previous answer arrived (never while one is on its way, so slow answers cannot pile
/// up); turns are skipped while the browser tab is hidden. `source` may instead be a function `load(signal)` that
/// asks several things as one answer; `query` then names what it depends on. `paused` stops the renewal: a
/// boolean, or a function of the data (an app is followed while it starts or stops). `at`: when the data arrived.
/// A changed source or query starts empty, unless `keep`.
export function useLive(source, query, { interval = 5000, paused = false, keep = false } = {}) {
  const key = (typeof source === "function" ? "" : source) + JSON.stringify(query);
  const [state, setState] = useState({ data: null, error: null, loading: true, at: null });
  const pausedNow = typeof paused === "function" ? paused(state.data) : paused;
  const live = useRef({ timer: null, controller: null, stopped: false, wasPaused: pausedNow });
  const l = live.current;
  l.source = source;
  l.query = query;
  l.paused = pausedNow;

  const schedule = () => {
    clearTimeout(l.timer);
    if (l.stopped || l.paused) return;
    l.timer = setTimeout(() => {
      if (document.hidden) schedule();
      else fetchNow();
    }, interval);
  };

  // One request at a time: a manual refresh replaces the one on its way instead of adding a second.
  const fetchNow = async (extra = {}) => {
    clearTimeout(l.timer);
    l.controller?.abort();
    const controller = new AbortController();
    l.controller = controller;
    setState((s) => ({ ...s, loading: true }));
    try {
      const { signal } = controller;
      const data =
        typeof l.source === "function"
          ? await l.source(signal)
          : await api.get(l.source, { ...l.query, ...extra }, { signal });
      if (l.controller === controller) setState({ data, error: null, loading: false, at: new Date().toISOString() });
    } catch (error) {
      if (error.name === "AbortError" || l.controller !== controller) return;
      setState((s) => ({ ...s, error, loading: false }));
    } finally {
      if (l.controller === controller) {
        l.controller = null;
        schedule();
      }
    }
  };

  // An answer the page already has replaces the data; one on its way, asked before it, is dropped.
  const set = (data) => {
    if (l.controller) {
      l.controller.abort();
      l.controller = null;
      schedule();
    }
    setState({ data, error: null, loading: false, at: new Date().toISOString() });
  };

  useEffect(() => {
    l.stopped = false;
    if (!keep) setState((s) => ({ ...s, data: null, error: null, loading: true }));
    fetchNow();
    return () => {
      l.stopped = true;
      clearTimeout(l.timer);
      l.controller?.abort();
      l.controller = null;
    };
  }, [key]);

  useEffect(() => {
    if (pausedNow === l.wasPaused) return;
    l.wasPaused = pausedNow;
    if (pausedNow) clearTimeout(l.timer);
    else if (!l.controller) fetchNow(); // resumed: show the present at once
  }, [pausedNow]);

  return { ...state, refresh: fetchNow, set };
}

/// id -> item[key] of the first 500 items of `path` (route slugs, user names), for lists that name things by id
/// only: a label where known, the id stands in without it.
export function useNames(path, key, enabled = true) {
  const page = useResource(path, { limit: 500 }, { enabled });
  return useMemo(() => Object.fromEntries((page.data?.items || []).map((item) => [item.id, item[key]])), [page.data]);
}
