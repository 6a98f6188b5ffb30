// A state as a coloured label (the colour is never the only signal: the text is there too).
import { html } from "../html.js";

const tones = {
  online: "good", succeeded: "good", running: "info", firing: "bad", offline: "bad", failed: "bad",
  timed_out: "bad", auth_failed: "bad", host_key_mismatch: "bad", error: "bad", failure: "bad", denied: "bad",
  pending: "warn", queued: "warn", cancelled: "muted", interrupted: "warn", unknown: "muted", stopped: "muted",
  resolved: "good", success: "good", expired: "muted", revoked: "muted", active: "good", starting: "info",
  stopping: "info", critical: "bad", warning: "warn", info: "info", acknowledged: "info",
};

export function Badge({ value, tone }) {
  const text = value === null || value === undefined ? "—" : String(value);
  return html`<span class=${`badge ${tone || tones[text] || "muted"}`}>${text.replaceAll("_", " ")}</span>`;
}
