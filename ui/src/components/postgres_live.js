// A snapshot that renews itself: asks again `interval` ms after the previous answer arrived (never while one is
// on its way, so slow answers cannot pile up), skips turns while the browser tab is hidden, stops while paused.
import { useEffect, useRef, useState } from "preact/hooks";
import { api } from "../api.js";

/// {data, error, loading, refresh(extra)} of GET `path` with `query`, renewed every `interval` ms unless `paused`.
export function useLive(path, query, { interval = 5000, paused = false } = {}) {
  const key = path + JSON.stringify(query);
  const [state, setState] = useState({ data: null, error: null, loading: true });
  const live = useRef({ timer: null, controller: null, stopped: false, paused, wasPaused: paused });
  const l = live.current;
  l.path = path;
  l.query = query;
  l.paused = paused;

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
      const data = await api.get(l.path, { ...l.query, ...extra }, { signal: controller.signal });
      if (l.controller === controller) setState({ data, error: null, loading: false });
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

  useEffect(() => {
    l.stopped = false;
    setState((s) => ({ ...s, data: null, error: null, loading: true }));
    fetchNow();
    return () => {
      l.stopped = true;
      clearTimeout(l.timer);
      l.controller?.abort();
      l.controller = null;
    };
  }, [key]);

  useEffect(() => {
    if (paused === l.wasPaused) return;
    l.wasPaused = paused;
    if (paused) clearTimeout(l.timer);
    else if (!l.controller) fetchNow(); // resumed: show the present at once
  }, [paused]);

  return { ...state, refresh: fetchNow };
}
