// Times in the browser's time zone, the UTC value on hover (Intl does the formatting).
import { useEffect, useState } from "preact/hooks";
import { html } from "../html.js";

const local = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "medium" });
const utc = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "medium", timeZone: "UTC" });
const relative = new Intl.RelativeTimeFormat(undefined, { numeric: "auto" });

export function toDate(value) {
  if (value === null || value === undefined || value === "") return null;
  const date = typeof value === "number" ? new Date(value * 1000) : new Date(value);
  return Number.isNaN(date.getTime()) ? null : date;
}

// datetime-local inputs speak the browser's local time without a zone; URLs and the API speak UTC (RFC 3339), so
// a shared link means the same moment wherever it is opened.
const pad = (n) => String(n).padStart(2, "0");

/// "2026-01-31T12:00:00Z" → "2026-01-31T13:00" (the datetime-local value in this browser's zone; seconds only
/// when not 0); "" if unreadable.
export function toLocalInput(value) {
  const date = toDate(value);
  if (!date) return "";
  const day = `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
  const seconds = date.getSeconds() ? `:${pad(date.getSeconds())}` : "";
  return `${day}T${pad(date.getHours())}:${pad(date.getMinutes())}${seconds}`;
}

/// A datetime-local value (local time, no zone) → RFC 3339 UTC without milliseconds; "" when empty or unreadable.
export function fromLocalInput(value) {
  if (!value) return "";
  const date = new Date(value); // a date-time without an offset is local time
  if (Number.isNaN(date.getTime())) return "";
  return rfc3339(date);
}

/// `date` as RFC 3339 UTC in whole seconds ("2026-01-31T12:00:00Z"), as the time filters write it in URLs.
export function rfc3339(date) {
  return date.toISOString().replace(/\.\d{3}Z$/, "Z");
}

export function Time({ value, fallback = "—" }) {
  const date = toDate(value);
  if (!date) return html`<span>${fallback}</span>`;
  return html`<time datetime=${date.toISOString()} title=${`${utc.format(date)} UTC`}>${local.format(date)}</time>`;
}

/// "in 4 minutes", "2 hours ago".
function fromNow(date, now = Date.now()) {
  const seconds = Math.round((date.getTime() - now) / 1000);
  const units = [
    ["day", 86400],
    ["hour", 3600],
    ["minute", 60],
  ];
  for (const [unit, size] of units) {
    if (Math.abs(seconds) >= size) return relative.format(Math.round(seconds / size), unit);
  }
  return relative.format(seconds, "second");
}

/// Re-renders every `ms` (countdowns).
function useNow(ms = 1000) {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(timer);
  }, [ms]);
  return now;
}

/// The time left until `value` as m:ss (h:mm:ss beyond an hour), ticking.
export function Countdown({ value }) {
  const now = useNow(1000);
  const date = toDate(value);
  if (!date) return html`<span>—</span>`;
  let left = Math.max(0, Math.round((date.getTime() - now) / 1000));
  const h = Math.floor(left / 3600);
  left %= 3600;
  const m = Math.floor(left / 60);
  const s = String(left % 60).padStart(2, "0");
  const text = h ? `${h}:${String(m).padStart(2, "0")}:${s}` : `${m}:${s}`;
  return html`<time class="countdown" datetime=${date.toISOString()} title=${`${utc.format(date)} UTC`}
    >${text}</time
  >`;
}

/// "5 minutes ago" as of when it was drawn (lists draw thousands: no timer each; pages that stay open refresh).
export function Ago({ value }) {
  const date = toDate(value);
  if (!date) return html`<span>—</span>`;
  return html`<time datetime=${date.toISOString()} title=${`${local.format(date)} (${utc.format(date)} UTC)`}
    >${fromNow(date)}</time
  >`;
}
