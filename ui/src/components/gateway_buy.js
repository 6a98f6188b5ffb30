// Buying an access token to a route with wallet credits (the price and the balance shown before buying), the token
// shown once, and opening the route in this browser: the token is traded for the gateway's HttpOnly cookie through
// POST /gw/authenticate, then the route opens in a new tab.
import { useEffect, useState } from "preact/hooks";
import { ApiError, api, request, session } from "../api.js";
import { ShownOnce } from "./actions.js";
import { ErrorMessage, Notice, errorText } from "./feedback.js";
import { Field, FormError, Submit, check, useForm, validateWith } from "./form.js";
import { Countdown } from "./time.js";
import { credits, durationText, pricesOf } from "./gateway_common.js";
import { html } from "../html.js";

// One key per purchase attempt: a retried or doubled request is answered once and charged once.
const newKey = () => (crypto.randomUUID ? crypto.randomUUID() : `${Date.now()}-${Math.random()}`);

export function BuyPanel({ route, wallet, onBought }) {
  const prices = pricesOf(route);
  const [key, setKey] = useState(newKey);
  const initial = { duration: prices.length ? String(prices[0][0]) : "" };
  const form = useForm(initial, validateWith({ duration: [check.required] }));
  const role = session().user?.role;
  const price = prices.find(([h]) => String(h) === form.values.duration)?.[1];
  const balance = wallet.wallet?.balance;
  const short = price !== undefined && balance !== undefined && balance < price;
  const priceText = price === undefined ? "—" : credits(price);
  let after = "—";
  if (short) after = "not enough credits";
  else if (price !== undefined && balance !== undefined) after = credits(balance - price);
  const submit = form.submit(async (values) => {
    const body = { route: route.slug, duration_hours: Number(values.duration), idempotency_key: key };
    const bought = await api.post("/api/v1/access-tokens", body);
    setKey(newKey());
    await wallet.reload();
    onBought(bought);
  });
  const roleList = route.allowed_roles.join(", ");
  let blocked = null;
  if (!route.enabled) blocked = "This route is disabled: no token can be bought for it now.";
  else if (!route.allowed_roles.includes(role)) blocked = `Tokens to this route are for ${roleList} only.`;
  else if (prices.length === 0) blocked = "No duration of this route is on sale.";
  return html`<section class="panel" aria-labelledby="gw-buy-title">
    <h2 id="gw-buy-title">Buy an access token</h2>
    <dl class="facts gw-wallet-facts">
      <dt>Your balance</dt>
      <dd data-testid="balance">${balance !== undefined ? credits(balance) : wallet.error ? "unknown" : "…"}</dd>
    </dl>
    <${ErrorMessage} error=${wallet.error} retry=${wallet.reload} />
    ${blocked
      ? html`<${Notice} kind="warn">${blocked}<//>`
      : html`<form onSubmit=${submit} novalidate>
          <${Field} form=${form} name="duration" label="Duration" type="select" required
            options=${prices.map(([h, p]) => [String(h), `${durationText(h)} — ${p ? credits(p) : "free"}`])} />
          <dl class="facts" aria-live="polite">
            <dt>Price</dt><dd data-testid="price">${priceText}</dd>
            <dt>Balance after</dt>
            <dd data-testid="balance-after">${after}</dd>
          </dl>
          ${short && html`<${Notice} kind="warn">Your wallet holds less than the price. An admin can top it up.<//>`}
          <${FormError} form=${form} />
          <div class="form-actions">
            <${Submit} form=${form} disabled=${form.busy || short}>Buy for ${priceText}<//>
          </div>
        </form>`}
  </section>`;
}

/// The token just bought: shown once with a copy button, and the way to open the route with it.
export function Bought({ token, route }) {
  return html`<div class="gw-bought">
    <${ShownOnce} value=${token.token}
      label=${`Access token to ${route.name} for ${durationText(token.duration_hours)} (${credits(token.price)})`} />
    <p class="hint">Use it as the <code>X-Access-Token</code> header, or open the route below in this browser.</p>
  </div>`;
}

/// Signs this browser in to a route with an access token, then opens the route in a new tab.
export function OpenRoute({ route, token = "" }) {
  const form = useForm({ token }, validateWith({ token: [check.required] }));
  const [signed, setSigned] = useState(null);
  useEffect(() => form.set("token", token), [token]);
  useEffect(() => {
    // A cookie this browser already holds for this route: its time left. The gateway's own endpoints take its
    // cookie, not the API's token.
    request("GET", "/gw/status", { anonymous: true })
      .then((s) => s.route_id === route.id && setSigned(s))
      .catch(() => {});
  }, [route.id]);
  const submit = form.submit(async (values) => {
    let result;
    try {
      result = await request("POST", "/gw/authenticate", { body: { token: values.token.trim() }, anonymous: true });
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      // The gateway's refusal is about the token: it shows by the field, once.
      form.setErrors({ token: errorText(error) });
      return;
    }
    setSigned(result);
    window.open(result.path, "_blank", "noopener");
  });
  const path = signed?.path || route.path;
  return html`<section class="panel" aria-labelledby="gw-open-title">
    <h2 id="gw-open-title">Open ${route.name}</h2>
    ${signed &&
    html`<${Notice} kind="good"
      >This browser is signed in to the route for another <${Countdown} value=${signed.expires_at} />.
      <a href=${path} target="_blank" rel="noopener">Open ${path}</a><//>`}
    <form onSubmit=${submit} novalidate>
      <${Field} form=${form} name="token" label="Access token" type="password" autocomplete="off" required
        hint="The browser keeps it in an HttpOnly cookie for the gateway's pages" />
      <${FormError} form=${form} />
      <div class="form-actions"><${Submit} form=${form}>Open ${path}<//></div>
    </form>
  </section>`;
}
