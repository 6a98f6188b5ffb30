// A task's WebSocket (/api/v1/tasks/{id}/stream): the task, its stored output, then live output and target states,
// and a summary. A lost or too slow connection resumes after the last piece received; 1000 ends it, 4401 means the
// session no longer allows it. Messages are only queued when they arrive (a fast task sends thousands in bursts)
// and handled in slices of a few milliseconds, one per frame, so the page keeps drawing while megabytes stream in.
import { socketUrl } from "../api.js";

const kSliceMs = 5;

/// The states a task, or one target of it, ends in.
export const kEnded = ["succeeded", "failed", "cancelled", "interrupted", "timed_out"];

/// handlers: task(task) for "task" and "summary", target(target), output(item), connection(state) with state one
/// of connecting, live, reconnecting, ended, refused. Returns the function that closes it.
export function openTaskStream(taskId, handlers) {
  let socket;
  let closed = false;
  let lastSeq = 0;
  const inbox = [];
  let draining = false;
  let ending = null; // what the connection ended with, told once the inbox is empty
  const handle = (data) => {
    const { type, ...message } = JSON.parse(data);
    if (type === "task" || type === "summary") handlers.task?.(message.task);
    else if (type === "target") handlers.target?.(message);
    else if (type === "output") {
      lastSeq = Math.max(lastSeq, message.seq);
      handlers.output?.(message);
    }
  };
  const drain = () => {
    draining = false;
    if (closed) return;
    const started = performance.now();
    while (inbox.length && performance.now() - started < kSliceMs) handle(inbox.shift());
    if (inbox.length) schedule();
    else if (ending) ending();
  };
  // One slice per frame while the page is shown: back-to-back tasks would starve the page's rendering. A hidden
  // page gets no frames, so there it drains from timers.
  const schedule = () => {
    if (draining) return;
    draining = true;
    if (document.hidden) setTimeout(drain, 0);
    else requestAnimationFrame(drain);
  };
  const open = () => {
    socket = new WebSocket(socketUrl(`/api/v1/tasks/${taskId}/stream`, { since_seq: lastSeq }));
    socket.onopen = () => handlers.connection?.("live");
    socket.onmessage = (event) => {
      inbox.push(event.data);
      schedule();
    };
    socket.onclose = (event) => {
      if (closed) return;
      ending = () => {
        ending = null;
        if (event.code === 1000) return handlers.connection?.("ended");
        if (event.code === 4401) return handlers.connection?.("refused");
        // Resumes after the last piece handled: the queue is empty by now.
        handlers.connection?.("reconnecting");
        setTimeout(() => !closed && open(), 1000);
      };
      if (!inbox.length) ending();
      else schedule();
    };
  };
  handlers.connection?.("connecting");
  open();
  return () => {
    closed = true;
    socket?.close();
  };
}
