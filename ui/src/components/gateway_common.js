// What the gateway's views share: durations and credits as text, the wallet's balance, and tokens' states and
// refunds.
import { session } from "../api.js";
import { Badge } from "./badge.js";
import { useResource } from "./resource.js";
import { html } from "../html.js";

export const durations = [1, 12, 24, 168, 720];

export function durationText(hours) {
  if (hours === 1) return "1 hour";
  if (hours === 168) return "1 week";
  if (hours === 720) return "30 days";
  if (hours % 24 === 0) return hours === 24 ? "1 day" : `${hours / 24} days`;
  return `${hours} hours`;
}

const number = new Intl.NumberFormat();
export function credits(n) {
  return `${number.format(n)} ${Math.abs(n) === 1 ? "credit" : "credits"}`;
}

/// Durations on sale as [[hours, price]], shortest first.
export function pricesOf(route) {
  return Object.entries(route.prices || {})
    .map(([h, p]) => [Number(h), p])
    .sort((a, b) => a[0] - b[0]);
}

/// The balance of a wallet (one's own, or `userId`'s for an admin): {wallet, error, reload}.
export function useWallet(userId) {
  const wallet = useResource("/api/v1/wallet", { user_id: userId });
  return { wallet: wallet.data, error: wallet.error, reload: () => wallet.reload() };
}

/// What revoking `token` at `now` would refund: the price of the whole hours left, the hour in progress counting as
/// used (the server's rule; the server's answer is what counts).
export function refundIfRevoked(token, now = Date.now()) {
  if (!token.active || token.price <= 0) return 0;
  const hours = token.duration_hours;
  const expires = new Date(token.expires_at).getTime();
  if (now >= expires) return 0;
  const used = Math.max(0, now - (expires - hours * 3600_000)) / 1000;
  const usedHours = Math.min(hours, Math.max(1, Math.ceil(used / 3600)));
  return Math.floor((token.price * (hours - usedHours)) / hours);
}

export function TokenState({ token }) {
  if (token.revoked_at) return html`<${Badge} value="revoked" />`;
  return html`<${Badge} value=${token.active ? "active" : "expired"} />`;
}

const kinds = { top_up: "good", refund: "info", purchase: "warn", adjustment: "muted" };
export function TxKind({ kind }) {
  return html`<${Badge} value=${kind} tone=${kinds[kind]} />`;
}

/// The tail of an id: ids begin with their time, so their heads look alike.
export function shortId(id) {
  return id ? String(id).slice(-8) : "—";
}

/// A user by name where known ("me" for oneself), else by the tail of the id.
export function UserName({ id, names }) {
  if (id === session().user?.id) return "me";
  return names[id] || html`<span class="mono">${shortId(id)}</span>`;
}
