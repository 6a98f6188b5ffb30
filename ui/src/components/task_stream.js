// A task's WebSocket (/api/v1/tasks/{id}/stream): the task, its stored output, then live output and target states,
// and a summary. A lost or too slow connection resumes after the last piece received; 1000 ends it, 4401 means the
// session no longer allows it.
import { socketUrl } from "../api.js";

/// handlers: task(task) for "task" and "summary", target(target), output(item), connection(state) with state one
/// of connecting, live, reconnecting, ended, refused. Returns the function that closes it.
export function openTaskStream(taskId, handlers) {
  let socket;
  let closed = false;
  let lastSeq = 0;
  const open = () => {
    socket = new WebSocket(socketUrl(`/api/v1/tasks/${taskId}/stream`, { since_seq: lastSeq }));
    socket.onopen = () => handlers.connection?.("live");
    socket.onmessage = (event) => {
      const { type, ...message } = JSON.parse(event.data);
      if (type === "task" || type === "summary") handlers.task?.(message.task);
      else if (type === "target") handlers.target?.(message);
      else if (type === "output") {
        lastSeq = Math.max(lastSeq, message.seq);
        handlers.output?.(message);
      }
    };
    socket.onclose = (event) => {
      if (closed) return;
      if (event.code === 1000) return handlers.connection?.("ended");
      if (event.code === 4401) return handlers.connection?.("refused");
      handlers.connection?.("reconnecting");
      setTimeout(() => !closed && open(), 1000);
    };
  };
  handlers.connection?.("connecting");
  open();
  return () => {
    closed = true;
    socket?.close();
  };
}
