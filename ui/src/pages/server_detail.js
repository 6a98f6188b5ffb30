// One server: its facts, test SSH with the result, status and disk, a changed host key shown with both
// fingerprints for an admin to accept, and the way to run a command on it.
import { useState } from "preact/hooks";
import { Link, useLocation } from "wouter-preact";
import { api, can } from "../api.js";
import { ActionButton } from "../components/actions.js";
import { Badge } from "../components/badge.js";
import { ErrorMessage, Loading, Notice } from "../components/feedback.js";
import { PageHeader } from "../components/layout.js";
import { TableWrap } from "../components/list.js";
import { useResource } from "../components/resource.js";
import { Ago, Time } from "../components/time.js";
import { html } from "../html.js";

const bytes = new Intl.NumberFormat(undefined, { style: "unit", unit: "gigabyte", maximumFractionDigits: 1 });
const gb = (n) => bytes.format(n / 1e9);

function SshResult({ result }) {
  if (!result) return null;
  if (result.ok)
    return html`<${Notice} kind="good"
      >SSH works: logged in as ${result.auth_method} in ${Math.round(result.latency_ms)} ms (handshake
      ${Math.round(result.handshake_ms)} ms). Host key <code>${result.host_key_fingerprint}</code>.<//
    >`;
  return html`<div class="error" role="alert" data-kind=${result.error_kind}>
    SSH failed (${(result.error_kind || "error").replaceAll("_", " ")}): ${result.error}
  </div>`;
}

function HostKey({ server, reload }) {
  if (!server.pending_host_key_fingerprint) return null;
  return html`<div class="panel" role="region" aria-labelledby="hostkey-title">
    <h2 id="hostkey-title">Host key changed</h2>
    <p>The server presented a different host key than the one pinned. Until an admin accepts it, stored credentials
      are not sent to it.</p>
    <dl class="facts">
      <dt>Pinned</dt><dd><code data-role="pinned">${server.host_key_fingerprint || "none"}</code></dd>
      <dt>Presented</dt><dd><code data-role="presented">${server.pending_host_key_fingerprint}</code></dd>
    </dl>
    ${can("admin")
      ? html`<p><${ActionButton} kind="primary" confirm="Trust the new host key? Do this only if you know why it changed."
          action=${() => api.post(`/api/v1/servers/${server.id}/host-key/accept`, { fingerprint: server.pending_host_key_fingerprint })}
          done=${reload}>Accept the new key<//></p>`
      : html`<p class="hint">An admin can accept it.</p>`}
  </div>`;
}

function StatusPanel({ id }) {
  const statusAnswer = useResource(`/api/v1/servers/${id}/status`);
  const diskAnswer = useResource(`/api/v1/servers/${id}/disk`);
  const status = statusAnswer.data;
  const disk = diskAnswer.data;
  const error = statusAnswer.error || diskAnswer.error;
  const load = () => {
    statusAnswer.reload();
    diskAnswer.reload();
  };
  return html`<div class="panel">
    <h2>Status and disk</h2>
    <${ErrorMessage} error=${error} retry=${load} />
    ${!status && !error && html`<${Loading} what="status" />`}
    ${status &&
    html`<dl class="facts">
      <dt>Status</dt><dd><${Badge} value=${status.status} /> ${status.error && html`<span class="field-error">${status.error}</span>`}</dd>
      <dt>Uptime</dt><dd>${status.uptime_seconds ? `${Math.round(status.uptime_seconds / 3600)} h` : "—"}</dd>
      <dt>Load</dt><dd>${status.load_average ? status.load_average.join(" ") : "—"}</dd>
      <dt>Containers</dt><dd>${status.running_containers ?? "—"}</dd>
      <dt>Checked</dt><dd><${Ago} value=${status.last_checked} /></dd>
    </dl>`}
    ${disk?.filesystems?.length > 0 &&
    html`<${TableWrap} label="Filesystems"><table>
      <caption class="visually-hidden">Filesystems</caption>
      <thead><tr><th scope="col">Mount</th><th scope="col">Filesystem</th><th scope="col">Used</th><th scope="col">Size</th><th scope="col">Use</th></tr></thead>
      <tbody>${disk.filesystems.map((f) => html`<tr key=${f.mount}>
        <td class="mono">${f.mount}</td><td class="mono">${f.filesystem}</td><td>${gb(f.used_bytes)}</td><td>${gb(f.size_bytes)}</td>
        <td><meter min="0" max=${f.size_bytes || 1} value=${f.used_bytes} aria-label=${`${f.mount} use`}></meter>
          ${f.size_bytes ? Math.round((100 * f.used_bytes) / f.size_bytes) : 0} %</td>
      </tr>`)}</tbody>
    </table><//>`}
    <p><button type="button" onClick=${load}>Refresh</button></p>
  </div>`;
}

export function ServerDetail({ params }) {
  const loaded = useResource(`/api/v1/servers/${params.id}`);
  const [test, setTest] = useState(null);
  const [, navigate] = useLocation();
  const load = () => loaded.reload();
  const server = loaded.data;
  if (!server && loaded.error) return html`<${ErrorMessage} error=${loaded.error} retry=${load} />`;
  if (!server) return html`<${Loading} what="the server" />`;
  const testSsh = async () => {
    setTest(null);
    const result = await api.post(`/api/v1/servers/${server.id}/test-ssh`, {});
    setTest(result);
    load();
  };
  return html`<section>
    <${PageHeader} title=${server.name}>
      ${can("operator") && html`<${ActionButton} kind="primary" action=${testSsh}>Test SSH<//>`}
      ${can("operator") && html`<${Link} href=${`/tasks/new?targets=${server.id}`} class="button">Run a command<//>`}
      ${server.postgres && html`<${Link} href=${`/postgres?server=${server.id}`} class="button">PostgreSQL<//>`}
      ${can("operator") && html`<${Link} href=${`/servers/${server.id}/edit`} class="button">Edit<//>`}
      ${can("operator") &&
      html`<${ActionButton} kind="danger" confirm=${`Delete ${server.name} and its stored secrets?`}
        action=${() => api.del(`/api/v1/servers/${server.id}`)} done=${() => navigate("/servers")}>Delete<//>`}
    <//>
    <${ErrorMessage} error=${loaded.error} retry=${load} />
    <div aria-live="polite"><${SshResult} result=${test} /></div>
    <${HostKey} server=${server} reload=${load} />
    <div class="grid">
      <div class="panel">
        <h2>Connection</h2>
        <dl class="facts">
          <dt>Address</dt><dd class="mono">${server.ssh_user}@${server.address}:${server.ssh_port}</dd>
          <dt>Login</dt><dd>${server.auth_method === "key" ? "SSH key" : "password"}${server.credentials_locked ? " (locked until the host key is accepted)" : ""}</dd>
          <dt>Host key</dt><dd><code>${server.host_key_fingerprint || "not pinned yet"}</code></dd>
          <dt>Status</dt><dd><${Badge} value=${server.status} /></dd>
          <dt>Tags</dt><dd>${server.tags.length ? server.tags.map((t) => html`<span class="tag">${t}</span>`) : "—"}</dd>
          <dt>PostgreSQL</dt><dd>${server.postgres ? `${server.postgres.user}@${server.postgres.host || server.address}:${server.postgres.port}/${server.postgres.database}` : "—"}</dd>
          <dt>Created</dt><dd><${Time} value=${server.created_at} /></dd>
        </dl>
        ${server.description && html`<p>${server.description}</p>`}
      </div>
      <${StatusPanel} id=${server.id} />
    </div>
  </section>`;
}
