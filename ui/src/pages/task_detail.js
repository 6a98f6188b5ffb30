// One task, live: a pane per server fed by the task's WebSocket (stored output first, then live), target states,
// progress, cancel, and each server's raw log as a download.
import { useEffect, useRef, useState } from "preact/hooks";
import { Link } from "wouter-preact";
import { api, can, request } from "../api.js";
import { ActionButton, download } from "../components/actions.js";
import { Badge } from "../components/badge.js";
import { ErrorMessage, Loading, Notice } from "../components/feedback.js";
import { PageHeader } from "../components/layout.js";
import { OutputPane } from "../components/output_pane.js";
import { Progress } from "../components/progress.js";
import { kEnded, openTaskStream } from "../components/task_stream.js";
import { Time } from "../components/time.js";
import { html } from "../html.js";

function progressOf(targets) {
  return { done: targets.filter((t) => kEnded.includes(t.state)).length, total: targets.length };
}

async function downloadRaw(taskId, target) {
  const query = { target: target.server_id, format: "raw" };
  const log = await request("GET", `/api/v1/tasks/${taskId}/output`, { query, blob: true });
  download(`task-${taskId}-${target.server_name}.log`, log);
}

function Pane({ taskId, target, register }) {
  const id = `pane-${target.server_id}`;
  // The task's stream feeds every pane: the pane registers its view with the page for its server's output.
  const feed = (view) => {
    register(target.server_id, view);
    return () => register(target.server_id, null);
  };
  const rawLog = html`<${ActionButton} action=${() => downloadRaw(taskId, target)}
    label=${`Download the raw log of ${target.server_name}`}>Raw log<//>`;
  return html`<${OutputPane} titleId=${`${id}-title`} label=${`Output of ${target.server_name}`}
      pre=${{ id, "data-target": target.server_id }} tools=${rawLog} whole="the raw log has all of it" feed=${feed}>
    <h3 id=${`${id}-title`}>${target.server_name}</h3>
    <${Badge} value=${target.state} />
    ${target.exit_code !== null && html`<span>exit ${target.exit_code}</span>`}
    ${target.error && html`<span class="field-error">${target.error}</span>`}
  <//>`;
}

export function TaskDetail({ params }) {
  const [task, setTask] = useState(null);
  const [error, setError] = useState(null);
  const [connection, setConnection] = useState("connecting");
  const panes = useRef(new Map());
  const pending = useRef(new Map());
  const register = (serverId, view) => {
    if (!view) {
      panes.current.delete(serverId);
      return;
    }
    panes.current.set(serverId, view);
    for (const item of pending.current.get(serverId) || []) view.push(item);
    pending.current.delete(serverId);
  };
  useEffect(() => {
    setTask(null);
    setError(null);
    pending.current.clear();
    // The stream sends the task first and then its changes: the GET's answer, which may be older, only stands in
    // until the stream has spoken. Its error stays, for the detail of a task that does not exist.
    let alive = true;
    api.get(`/api/v1/tasks/${params.id}`).then(
      (t) => alive && setTask((cur) => cur ?? t),
      (e) => alive && setError(e),
    );
    const close = openTaskStream(params.id, {
      task: setTask,
      target: (target) =>
        setTask((t) => t && { ...t, targets: t.targets.map((x) => (x.server_id === target.server_id ? target : x)) }),
      output: (item) => {
        const view = panes.current.get(item.target);
        if (view) view.push(item);
        else pending.current.set(item.target, [...(pending.current.get(item.target) || []), item]);
      },
      connection: setConnection,
    });
    return () => {
      alive = false;
      close();
    };
  }, [params.id]);
  if (!task && error) return html`<${ErrorMessage} error=${error} />`;
  if (!task) return html`<${Loading} what="the task" />`;
  const progress = progressOf(task.targets);
  const active = task.state === "queued" || task.state === "running";
  return html`<section>
    <${PageHeader} title=${`Task ${task.kind}`}>
      ${can("operator") && active &&
      html`<${ActionButton} kind="danger" confirm="Cancel this task on every server?"
        action=${() => api.post(`/api/v1/tasks/${task.id}/cancel`, {})}>Cancel<//>`}
      <${Link} href="/tasks" class="button">All tasks<//>
    <//>
    <div class="panel">
      <dl class="facts">
        <dt>State</dt><dd><${Badge} value=${task.state} /> ${task.cancel_requested && active ? "(cancelling)" : ""}</dd>
        ${task.command && html`<dt>Command</dt><dd><code>${task.command}</code></dd>`}
        <dt>Progress</dt><dd><${Progress} ...${progress} /></dd>
        <dt>Started by</dt><dd>${task.created_by_name || "—"}</dd>
        <dt>Created</dt><dd><${Time} value=${task.created_at} /></dd>
        <dt>Finished</dt><dd><${Time} value=${task.finished_at} fallback=${active ? "running" : "—"} /></dd>
        <dt>Stream</dt><dd data-connection=${connection}>${connection}</dd>
      </dl>
    </div>
    ${connection === "refused" && html`<${Notice} kind="warn">The stream was closed: your session no longer allows it.<//>`}
    <div class="panes">
      ${task.targets.map((t) => html`<${Pane} key=${t.server_id} taskId=${task.id} target=${t} register=${register} />`)}
    </div>
  </section>`;
}
