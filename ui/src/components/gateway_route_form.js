// Create or edit a gateway route (admins). Editing replaces the route (PUT) with every field of the form.
import { useLocation } from "wouter-preact";
import { api } from "../api.js";
import { Field, FormError, Submit, check, renameFields, useForm, validateWith } from "./form.js";
import { durationText, durations } from "./gateway_common.js";
import { html } from "../html.js";

const roles = ["viewer", "operator", "admin"];

const blank = {
  slug: "", name: "", upstream_url: "", host: "", role_viewer: true, role_operator: true, role_admin: true,
  ...Object.fromEntries(durations.map((h) => [`price_${h}`, ""])),
  websocket: true, rewrite: false, pass_access_token_header: false, identity_header: "", allowed_origins: "",
  extra_headers: "", ca_file: "", enabled: true,
};

function valuesOf(route) {
  return {
    ...blank, slug: route.slug, name: route.name, upstream_url: route.upstream_url, host: route.host || "",
    ...Object.fromEntries(roles.map((r) => [`role_${r}`, route.allowed_roles.includes(r)])),
    ...Object.fromEntries(durations.map((h) => [`price_${h}`, route.prices[h] ?? ""])),
    websocket: route.websocket, rewrite: route.rewrite, pass_access_token_header: route.pass_access_token_header,
    identity_header: route.identity_header || "", allowed_origins: route.allowed_origins.join("\n"),
    extra_headers: Object.entries(route.extra_headers).map(([k, v]) => `${k}: ${v}`).join("\n"),
    ca_file: route.ca_file || "", enabled: route.enabled,
  };
}

const lines = (text) => text.split(/\n/).map((l) => l.trim()).filter(Boolean);
const slugPattern = /^[a-z0-9][a-z0-9-]{0,62}$/;
const urlPattern = /^https?:\/\/[^\s/?#]+[^\s?#]*$/;
const headerName = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/;
const whole = (v) => (v === "" || (Number.isInteger(Number(v)) && Number(v) >= 0) ? null : "Whole credits, 0 or more.");

const validate = validateWith({
  slug: [check.required, (v) => (slugPattern.test(v) ? null : "1 to 63 lowercase letters, digits or '-'.")],
  name: [check.required],
  upstream_url: [check.required, (v) => (urlPattern.test(v.trim()) ? null : "An http:// or https:// URL.")],
  host: [(v) => (!v || /^[A-Za-z0-9.-]+$/.test(v.trim()) ? null : "A host name without a port.")],
  role_viewer: [(v, all) => (roles.some((r) => all[`role_${r}`]) ? null : "Choose at least one role.")],
  ...Object.fromEntries(durations.map((h) => [`price_${h}`, [whole]])),
  identity_header: [(v) => (!v || headerName.test(v.trim()) ? null : "A header name, e.g. X-Gatehouse-Assertion.")],
  extra_headers: [(v) => (lines(v).every((l) => /^[^:\s]+:/.test(l)) ? null : "One 'Name: value' a line.")],
  ca_file: [(v) => (!v || v.startsWith("/") ? null : "An absolute path on the gatehouse host.")],
});

function bodyOf(v) {
  const priced = durations.filter((h) => v[`price_${h}`] !== "");
  const prices = Object.fromEntries(priced.map((h) => [h, Number(v[`price_${h}`])]));
  return {
    slug: v.slug.trim(), name: v.name.trim(), upstream_url: v.upstream_url.trim(), host: v.host.trim() || null,
    allowed_roles: roles.filter((r) => v[`role_${r}`]),
    // None priced: the server sells every duration for free.
    prices: Object.keys(prices).length ? prices : null,
    websocket: v.websocket, rewrite: v.rewrite, pass_access_token_header: v.pass_access_token_header,
    identity_header: v.identity_header.trim() || null,
    allowed_origins: v.allowed_origins.split(/[\s,]+/).filter(Boolean),
    extra_headers: Object.fromEntries(lines(v.extra_headers).map((l) => {
      const at = l.indexOf(":");
      return [l.slice(0, at).trim(), l.slice(at + 1).trim()];
    })),
    ca_file: v.ca_file.trim() || null, enabled: v.enabled,
  };
}

// The server's field names to the form's: its roles and prices errors show beside their groups.
const fieldMap = { allowed_roles: "role_viewer", prices: "price_1" };

export function RouteForm({ route, done }) {
  const [, navigate] = useLocation();
  const form = useForm(route ? valuesOf(route) : blank, validate);
  const submit = form.submit(async (values) => {
    try {
      const body = bodyOf(values);
      const saved = route
        ? await api.put(`/api/v1/gateway/routes/${route.id}`, body)
        : await api.post("/api/v1/gateway/routes", body);
      if (done) done(saved);
      else navigate(`/gateway/${saved.id}`);
    } catch (e) {
      if (e.status === 409 && /slug|exists/i.test(e.message)) e.fields = { ...e.fields, slug: e.message };
      throw renameFields(e, fieldMap);
    }
  });
  const errors = form.errors;
  // The roles' one message shows under their group, not under the first box.
  const quiet = { ...form, errors: {} };
  return html`<form onSubmit=${submit} novalidate class="panel" aria-label=${route ? "Edit route" : "New route"}>
    <${Field} form=${form} name="slug" label="Slug" required
      hint="Lowercase letters, digits and '-': the route is at /gw/slug/" />
    <${Field} form=${form} name="name" label="Name" required />
    <${Field} form=${form} name="upstream_url" label="Upstream URL" required
      hint="http(s)://host[:port][/base] of the web app" />
    <${Field} form=${form} name="host" label="Own host name"
      hint="Optional: a host name served at its root by this route" />
    <fieldset aria-describedby=${errors.role_viewer ? "gw-roles-error" : undefined}>
      <legend>Roles that may buy and use tokens</legend>
      ${roles.map((r) => html`<${Field} form=${quiet} name=${`role_${r}`} label=${r} type="checkbox" />`)}
      ${errors.role_viewer && html`<small id="gw-roles-error" class="field-error">${errors.role_viewer}</small>`}
    </fieldset>
    <fieldset>
      <legend>Prices in credits</legend>
      <p class="hint">A duration left blank is not sold; all blank: every duration is free.</p>
      <div class="gw-price-fields">
        ${durations.map((h) => html`<${Field} form=${form} name=${`price_${h}`} label=${durationText(h)} type="number"
          min="0" step="1" inputmode="numeric" />`)}
      </div>
    </fieldset>
    <fieldset>
      <legend>Proxying</legend>
      <${Field} form=${form} name="enabled" label="Enabled: tokens can be bought and used" type="checkbox" />
      <${Field} form=${form} name="websocket" label="Proxy WebSockets" type="checkbox" />
      <${Field} form=${form} name="rewrite" label="Rewrite upstream URLs in HTML, CSS and JavaScript" type="checkbox" />
      <${Field} form=${form} name="pass_access_token_header" label="Send the access token upstream (X-Access-Token)"
        type="checkbox" />
      <${Field} form=${form} name="identity_header" label="Identity header"
        hint="Optional: a signed ES256 assertion of the user, e.g. X-Gatehouse-Assertion" />
      <${Field} form=${form} name="allowed_origins" label="Origins allowed to open WebSockets" type="textarea"
        hint="One a line; none: only this gateway's own" />
      <${Field} form=${form} name="extra_headers" label="Extra upstream headers" type="textarea"
        hint="One 'Name: value' a line" />
      <${Field} form=${form} name="ca_file" label="CA file"
        hint="Optional: absolute path of a PEM bundle to verify an https upstream" />
    </fieldset>
    <${FormError} form=${form} />
    <div class="form-actions">
      <${Submit} form=${form}>${route ? "Save route" : "Create route"}<//>
      <button type="button" onClick=${() => (route && done ? done(null) : history.back())}>Cancel</button>
    </div>
  </form>`;
}
