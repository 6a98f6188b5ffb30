// A pane of live output: a head, "Follow" once the reader scrolled up, a note once old output left the page, and
// the <pre> an OutputView writes into. The task page has one per server; an app's page one for its latest task.
import { useEffect, useRef, useState } from "preact/hooks";
import { html } from "../html.js";
import { OutputView } from "./output.js";

/// `children`: the head (a heading with id `titleId`, the state); `tools`: controls beside "Follow"; `label`: the
/// <pre>'s name; `pre`: more attributes of the <pre> (id, data-*), `preClass` its class beside "output"; `whole`:
/// where the output dropped from view can still be read. `feed(view)`: starts feeding the view its output and
/// returns what stops it; called once per mount (key the pane to feed it from another source).
export function OutputPane({ class: className, titleId, label, pre, preClass, tools, whole, feed, children }) {
  const element = useRef(null);
  const view = useRef(null);
  const [following, setFollowing] = useState(true);
  const [trimmed, setTrimmed] = useState(false);
  useEffect(() => {
    view.current = new OutputView(element.current, (f) => {
      setFollowing(f);
      setTrimmed(element.current?.dataset.trimmed === "true");
    });
    const stop = feed(view.current);
    return () => {
      stop?.();
      view.current.dispose();
    };
  }, []);
  return html`<section class=${className ? `pane ${className}` : "pane"} aria-labelledby=${titleId}>
    <div class="pane-head">
      ${children}
      <span class="tools">
        ${!following && html`<button type="button" onClick=${() => view.current?.follow()}>Follow</button>`}
        ${tools}
      </span>
    </div>
    ${trimmed && html`<p class="hint">Earlier output is no longer shown here; ${whole}.</p>`}
    <pre ...${pre} class=${preClass ? `output ${preClass}` : "output"} ref=${element} role="log" aria-live="off"
      tabindex="0" aria-label=${label}></pre>
  </section>`;
}
