// The wallet: its balance and ledger (newest first, paged); an admin picks whose wallet to see and tops it up (a
// negative amount takes credits away).
import { useEffect } from "preact/hooks";
import { api, can, session } from "../api.js";
import { ErrorMessage } from "./feedback.js";
import { Field, FormError, Submit, check, useForm, validateWith } from "./form.js";
import { PagedTable, usePaged, useQueryState } from "./list.js";
import { Time } from "./time.js";
import { TxKind, credits, shortId, useWallet } from "./gateway_common.js";
import { html } from "../html.js";

function UserPicker({ value, set }) {
  // Users page in like any list; the select offers those loaded so far.
  const users = usePaged("/api/v1/users", {}, { limit: 200 });
  const me = session().user;
  return html`<div class="gw-picker">
    <label for="gw-wallet-user">Wallet of</label>
    <select id="gw-wallet-user" value=${value || ""} onChange=${(e) => set(e.currentTarget.value)}>
      <option value="">${me?.username} (me)</option>
      ${users.items
        .filter((u) => u.id !== me?.id)
        .map((u) => html`<option value=${u.id}>${u.username} (${u.role})</option>`)}
    </select>
    ${users.more && html`<button type="button" onClick=${users.loadMore} disabled=${users.loading}>More users</button>`}
    <${ErrorMessage} error=${users.error} retry=${users.reload} />
  </div>`;
}

const amountRule = (v) => {
  const n = Number(v);
  return Number.isInteger(n) && n !== 0 && Math.abs(n) <= 1e12 ? null : "A whole number of credits, not 0.";
};

function TopUp({ userId, done }) {
  const form = useForm({ amount: "", note: "" }, validateWith({ amount: [check.required, amountRule] }));
  useEffect(() => form.setValues({ amount: "", note: "" }), [userId]);
  const submit = form.submit(async (values) => {
    const body = {
      user_id: userId || session().user.id, amount: Number(values.amount), note: values.note.trim() || null,
    };
    await api.post("/api/v1/wallet/top-up", body);
    form.setValues({ amount: "", note: "" });
    done();
  });
  return html`<form onSubmit=${submit} novalidate class="panel" aria-labelledby="gw-topup-title">
    <h2 id="gw-topup-title">Top up</h2>
    <div class="gw-inline">
      <${Field} form=${form} name="amount" label="Credits" type="number" step="1" required
        hint="Negative: take credits away" />
      <${Field} form=${form} name="note" label="Note" maxlength="500" />
    </div>
    <${FormError} form=${form} />
    <div class="form-actions"><${Submit} form=${form}>Add credits<//></div>
  </form>`;
}

export function WalletView() {
  const [query, setQuery] = useQueryState();
  const admin = can("admin");
  const userId = admin ? query.user || undefined : undefined;
  const wallet = useWallet(userId);
  const list = usePaged("/api/v1/wallet/transactions", { user_id: userId });
  const refresh = () => {
    wallet.reload();
    list.reload();
  };
  return html`${admin && html`<${UserPicker} value=${query.user} set=${(user) => setQuery({ user })} />`}
    <div class="gw-wallet">
      <section class="panel" aria-labelledby="gw-balance-title">
        <h2 id="gw-balance-title">Balance</h2>
        <${ErrorMessage} error=${wallet.error} retry=${wallet.reload} />
        <p class="gw-balance" data-testid="wallet-balance" aria-live="polite">
          ${wallet.wallet ? credits(wallet.wallet.balance) : wallet.error ? "unknown" : "Loading…"}
        </p>
        <p class="hint">
          Credits buy access tokens to the gateway's routes.${admin ? "" : " An admin tops wallets up."}
        </p>
      </section>
      ${admin && html`<${TopUp} userId=${userId} done=${refresh} />`}
    </div>
    <h2>Transactions</h2>
    <${PagedTable} list=${list} caption="Wallet transactions" empty="No transaction yet."
      columns=${["Time", "Kind", "Amount", "Balance after", "Note", "Token"]}
      row=${(t) => html`<tr key=${t.id} data-kind=${t.kind}>
        <td><${Time} value=${t.created_at} /></td>
        <td><${TxKind} kind=${t.kind} /></td>
        <td class=${`gw-amount ${t.amount < 0 ? "gw-debit" : "gw-credit"}`}>${t.amount > 0 ? "+" : ""}${t.amount}</td>
        <td>${credits(t.balance_after)}</td>
        <td>${t.note || "—"}</td>
        <td class="mono">${shortId(t.token_id)}</td>
      </tr>`} />`;
}
