// The output of an app's latest compose task, live: the task's WebSocket (stored output first, then new pieces)
// feeds an OutputView. An app's task has one target, its server, so one pane is enough; the task page has the rest.
import { useEffect, useRef, useState } from "preact/hooks";
import { Link } from "wouter-preact";
import { socketUrl } from "../api.js";
import { html } from "../html.js";
import { Badge } from "./badge.js";
import { OutputView } from "./output.js";
import { Time } from "./time.js";

const kEnded = ["succeeded", "failed", "cancelled", "interrupted", "timed_out"];

/// `onEnd(task)`: the task reached a final state (the app's status follows it).
export function TaskOutput({ taskId, onEnd }) {
  const pre = useRef(null);
  const [task, setTask] = useState(null);
  const [connection, setConnection] = useState("connecting");
  const ended = useRef(onEnd);
  ended.current = onEnd;
  useEffect(() => {
    const view = new OutputView(pre.current);
    let socket;
    let closed = false;
    let lastSeq = 0;
    let told = false;
    const seen = (next) => {
      setTask(next);
      if (!told && kEnded.includes(next.state)) {
        told = true;
        ended.current?.(next);
      }
    };
    const open = () => {
      socket = new WebSocket(socketUrl(`/api/v1/tasks/${taskId}/stream`, { since_seq: lastSeq }));
      socket.onopen = () => setConnection("live");
      socket.onmessage = (event) => {
        const message = JSON.parse(event.data);
        if (message.type === "task" || message.type === "summary") seen(message.task);
        else if (message.type === "output") {
          lastSeq = Math.max(lastSeq, message.seq);
          view.push(message);
        }
      };
      socket.onclose = (event) => {
        if (closed) return;
        if (event.code === 1000) return setConnection("ended");
        if (event.code === 4401) return setConnection("refused");
        // A lost connection resumes after the last piece shown.
        setConnection("reconnecting");
        setTimeout(() => !closed && open(), 1000);
      };
    };
    open();
    return () => {
      closed = true;
      socket?.close();
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
