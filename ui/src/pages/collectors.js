// Collectors: the enrolled agents with status (filtered on the server) and certificate expiry, one-time enrolment
// tokens for new ones (shown once), and one collector's facts, config and deletion.
import { useState } from "preact/hooks";
import { Link, useLocation } from "wouter-preact";
import { api, can } from "../api.js";
import { ActionButton } from "../components/actions.js";
import { Badge } from "../components/badge.js";
import { Empty, ErrorMessage, Loading } from "../components/feedback.js";
import { PageHeader } from "../components/layout.js";
import { Filters, PagedTable, TableWrap, usePaged, useQueryState } from "../components/list.js";
import { EnrolmentToken, Expiry } from "../components/metrics_enrol.js";
import { useResource } from "../components/resource.js";
import { Ago, Time } from "../components/time.js";
import { html } from "../html.js";
import "./metrics.css";

const statuses = ["pending", "online", "offline", "expired"].map((s) => [s, s]);
const count = new Intl.NumberFormat();

export function Collectors() {
  const [query, setQuery] = useQueryState();
  const [enrolling, setEnrolling] = useState(false);
  const list = usePaged("/api/v1/collectors", { status: query.status }, { limit: 50 });
  return html`<section class="m-page">
    <${PageHeader} title="Collectors">
      ${can("operator") && !enrolling &&
      html`<button type="button" class="primary" onClick=${() => setEnrolling(true)}>New enrolment token</button>`}
    <//>
    ${enrolling && html`<${EnrolmentToken} close=${() => setEnrolling(false)} />`}
    <${Filters} values=${query} set=${setQuery} fields=${[{ name: "status", label: "Status", options: statuses }]} />
    <${PagedTable} list=${list} caption="Collectors" empty="No collector matches. Enrol one with a token."
      columns=${["Name", "Status", "Certificate expires", "Last push", "Host", "Samples", "Version"]}
      row=${(c) => html`<tr key=${c.id} data-collector=${c.id}>
        <td><${Link} href=${`/collectors/${c.id}`}>${c.name}<//></td>
        <td><${Badge} value=${c.status} /></td>
        <td><${Expiry} value=${c.certificate_expires_at} /></td>
        <td><${Ago} value=${c.last_push_at} /></td>
        <td class="mono">${c.hostname}</td>
        <td>${count.format(c.samples_accepted)}${c.samples_rejected > 0 &&
          html` <span class="field-error">(${count.format(c.samples_rejected)} refused)</span>`}</td>
        <td>${c.version || "—"}</td>
      </tr>`} />
  </section>`;
}

function Config({ id }) {
  const loaded = useResource(`/api/v1/collectors/${id}/config`);
  const config = loaded.data;
  if (loaded.error) return html`<${ErrorMessage} error=${loaded.error} retry=${() => loaded.reload()} />`;
  if (!config) return html`<${Loading} what="the config" />`;
  return html`<div class="panel" data-testid="collector-config">
    <h2>Config, version ${config.version}</h2>
    <p class="hint">Changed <${Time} value=${config.updated_at} />; the agent follows it on its next check.</p>
    <${TableWrap} label="Collection intervals"><table>
      <caption class="visually-hidden">Seconds between collections per metric group</caption>
      <thead><tr><th scope="col">Metric group</th><th scope="col">Every</th></tr></thead>
      <tbody>${Object.entries(config.intervals).map(([group, s]) => html`<tr key=${group}>
        <td>${group.replaceAll("_", " ")}</td><td>${s} s</td></tr>`)}</tbody>
    </table><//>
    <h3>PostgreSQL targets</h3>
    ${config.postgres.length === 0
      ? html`<${Empty}>None: the agent monitors what its own command line names.<//>`
      : html`<ul>
          ${config.postgres.map((p) => html`<li key=${p.name}><strong>${p.name}</strong> <code>${p.url}</code></li>`)}
        </ul>`}
  </div>`;
}

export function CollectorsDetail({ params }) {
  const loaded = useResource(`/api/v1/collectors/${params.id}`);
  const [, navigate] = useLocation();
  const load = () => loaded.reload();
  const c = loaded.data;
  if (loaded.error) return html`<${ErrorMessage} error=${loaded.error} retry=${load} />`;
  if (!c) return html`<${Loading} what="the collector" />`;
  return html`<section class="m-page">
    <${PageHeader} title=${c.name}>
      <button type="button" onClick=${load}>Refresh</button>
      ${can("operator") &&
      html`<${ActionButton} kind="danger"
        confirm=${`Delete ${c.name}? Its certificate is refused from its next connection.`}
        action=${() => api.del(`/api/v1/collectors/${c.id}`)} done=${() => navigate("/collectors")}>Delete<//>`}
    <//>
    <div class="grid">
      <div class="panel">
        <h2>Collector</h2>
        <dl class="facts">
          <dt>Status</dt><dd><${Badge} value=${c.status} /></dd>
          <dt>Host</dt><dd class="mono">${c.hostname}</dd>
          <dt>Agent version</dt><dd>${c.version || "—"}</dd>
          <dt>Last push</dt><dd><${Time} value=${c.last_push_at} fallback="never" /></dd>
          <dt>Samples</dt><dd>${count.format(c.samples_accepted)} accepted, ${count.format(c.samples_rejected)} refused,
            in ${count.format(c.batches)} batches</dd>
          <dt>Enrolled</dt><dd><${Time} value=${c.created_at} /></dd>
          <dt>Id</dt><dd class="mono">${c.id}</dd>
        </dl>
      </div>
      <div class="panel">
        <h2>Certificate</h2>
        <dl class="facts">
          <dt>Expires</dt><dd><${Expiry} value=${c.certificate_expires_at} /></dd>
          <dt>Renewed</dt><dd><${Time} value=${c.renewed_at} fallback="never" /></dd>
          <dt>SHA-256</dt><dd class="mono">${c.certificate_sha256}</dd>
        </dl>
      </div>
    </div>
    <${Config} id=${c.id} />
  </section>`;
}
