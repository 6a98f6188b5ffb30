// The output of an app's latest compose task, live: the task's WebSocket (stored output first, then new pieces)
// feeds an output pane. An app's task has one target, its server, so one pane is enough; the task page has the rest.
import { useRef, useState } from "preact/hooks";
import { Link } from "wouter-preact";
import { html } from "../html.js";
import { Badge } from "./badge.js";
import { OutputPane } from "./output_pane.js";
import { kEnded, openTaskStream } from "./task_stream.js";
import { Time } from "./time.js";

/// `onEnd(task)`: the task reached a final state (the app's status follows it).
export function TaskOutput({ taskId, onEnd }) {
  const [task, setTask] = useState(null);
  const [connection, setConnection] = useState("connecting");
  const ended = useRef(onEnd);
  ended.current = onEnd;
  // Called once: the pane is keyed by the task (see apps_detail.js).
  const feed = (view) => {
    let told = false;
    return openTaskStream(taskId, {
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
  };
  const target = task?.targets?.[0];
  const tools = html`${task && html`<span class="hint"><${Time} value=${task.created_at} /></span>`}
    <span class="hint" data-connection=${connection}>stream ${connection}</span>
    <${Link} href=${`/tasks/${taskId}`}>Task page<//>`;
  return html`<${OutputPane} class="apps-task" titleId="app-task-title" label="Output of the latest task"
      pre=${{ "data-task": taskId }} preClass="apps-output" tools=${tools}
      whole="the raw log on the task page has all of it" feed=${feed}>
    <h2 id="app-task-title">Latest task${task ? `: ${task.kind.replace("compose_", "compose ")}` : ""}</h2>
    ${task && html`<${Badge} value=${task.state} />`}
    ${target?.exit_code !== null && target?.exit_code !== undefined && html`<span>exit ${target.exit_code}</span>`}
    ${target?.error && html`<span class="field-error">${target.error}</span>`}
  <//>`;
}
