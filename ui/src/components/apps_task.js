// The output of an app's latest compose task, live: the task's WebSocket (stored output first, then new pieces)
// feeds an OutputView. An app's task has one target, its server, so one pane is enough; the task page has the rest.
import { useEffect, useRef, useState } from "preact/hooks";
import { Link } from "wouter-preact";
import { html } from "../html.js";
import { Badge } from "./badge.js";
import { OutputView } from "./output.js";
import { kEnded, openTaskStream } from "./task_stream.js";
import { Time } from "./time.js";

/// `onEnd(task)`: the task reached a final state (the app's status follows it).
export function TaskOutput({ taskId, onEnd }) {
  const pre = useRef(null);
  const [task, setTask] = useState(null);
  const [connection, setConnection] = useState("connecting");
  const ended = useRef(onEnd);
  ended.current = onEnd;
  useEffect(() => {
    const view = new OutputView(pre.current);
    let told = false;
    const close = openTaskStream(taskId, {
      task: (next) => {
        setTask(next);
        if (!told && kEnded.includes(next.state)) {
          told = true;
          ended.current?.(next);
        }
      },
      output: (item) => view.push(item),
      connection: setConnection,
    });
    return () => {
      close();
      view.dispose();
    };
  }, [taskId]);
  const target = task?.targets?.[0];
  return html`<section class="pane apps-task" aria-labelledby="app-task-title">
    <div class="pane-head">
      <h2 id="app-task-title">Latest task${task ? `: ${task.kind.replace("compose_", "compose ")}` : ""}</h2>
      ${task && html`<${Badge} value=${task.state} />`}
      ${target?.exit_code !== null && target?.exit_code !== undefined && html`<span>exit ${target.exit_code}</span>`}
      ${target?.error && html`<span class="field-error">${target.error}</span>`}
      <span class="tools">
        ${task && html`<span class="hint"><${Time} value=${task.created_at} /></span>`}
        <span class="hint" data-connection=${connection}>stream ${connection}</span>
        <${Link} href=${`/tasks/${taskId}`}>Task page<//>
      </span>
    </div>
    <pre class="output apps-output" ref=${pre} role="log" aria-live="off" tabindex="0"
      aria-label="Output of the latest task" data-task=${taskId}></pre>
  </section>`;
}
