// Small controls shared by pages: a button that confirms and runs an action, a copy button, a download link.
import { useEffect, useRef, useState } from "preact/hooks";
import { html } from "../html.js";
import { errorText } from "./feedback.js";

/// Runs `action` after the browser's confirm (when `confirm` is given); shows its error next to the button.
export function ActionButton({ action, confirm, children, kind = "", done, label }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const run = async () => {
    if (confirm && !window.confirm(confirm)) return;
    setBusy(true);
    setError(null);
    try {
      const result = await action();
      done?.(result);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return html`<span class="action">
    <button type="button" class=${kind} onClick=${run} disabled=${busy} aria-label=${label}>${children}</button>
    ${error && html`<span class="field-error" role="alert">${errorText(error)}</span>`}
  </span>`;
}

export function CopyButton({ text, label = "Copy" }) {
  const [copied, setCopied] = useState(false);
  const resetTimer = useRef(0);
  useEffect(() => () => clearTimeout(resetTimer.current), []);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
    } catch {
      // Without clipboard access (plain http on another host) the text stays selectable on the page.
      return;
    }
    setCopied(true);
    // A second click shows "Copied" for its own 2 s, not what is left of the first one's.
    clearTimeout(resetTimer.current);
    resetTimer.current = setTimeout(() => setCopied(false), 2000);
  };
  return html`<button type="button" onClick=${copy}>${copied ? "Copied" : label}</button>`;
}

/// A secret shown once: the value, a copy button, and the warning.
export function ShownOnce({ label, value }) {
  return html`<div class="notice good" role="status">
    <p><strong>${label}</strong> — shown once; copy it now.</p>
    <p><code class="secret">${value}</code> <${CopyButton} text=${value} /></p>
  </div>`;
}

/// Saves `content` (text or a Blob) as a file (Blob URL; no inline script needed).
export function download(name, content, type = "text/plain") {
  const url = URL.createObjectURL(content instanceof Blob ? content : new Blob([content], { type }));
  const a = document.createElement("a");
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
