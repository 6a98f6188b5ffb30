// One key's facts and the smaller actions on it: download the public key, rename / re-comment, delete, and the
// servers that use it.
import { useState } from "preact/hooks";
import { Link } from "wouter-preact";
import { api, request } from "../api.js";
import { CopyButton, download } from "./actions.js";
import { Badge } from "./badge.js";
import { ErrorMessage, Loading, Empty, errorText } from "./feedback.js";
import { Field, FormError, Submit, useForm, validateWith } from "./form.js";
import { TableWrap } from "./list.js";
import { nameRules, singleLine, withKeyFields } from "./keys_forms.js";
import { useResource } from "./resource.js";
import { Time } from "./time.js";
import { html } from "../html.js";

const typeNames = { ed25519: "Ed25519", rsa: "RSA", ecdsa: "ECDSA" };

/// "Ed25519, 256 bits".
export function kindOf(key) {
  return `${typeNames[key.type] || key.type}, ${key.bits} bits`;
}

/// The authorized_keys line as the server serves it, saved as NAME.pub.
export async function downloadPublic(key) {
  const text = await request("GET", `/api/v1/ssh-keys/${key.id}/public`, { text: true });
  download(`${key.name.replace(/[^A-Za-z0-9._-]+/g, "_")}.pub`, text);
}

export function KeyFacts({ sshKey }) {
  return html`<div class="panel">
    <h2>Key</h2>
    <dl class="facts">
      <dt>Type</dt><dd>${kindOf(sshKey)}</dd>
      <dt>Fingerprint</dt><dd><code data-role="fingerprint">${sshKey.fingerprint}</code></dd>
      <dt>Comment</dt><dd>${sshKey.comment || "—"}</dd>
      <dt>Private key</dt>
      <dd>${sshKey.has_private_key ? "stored (encrypted), never shown" : "not stored: public key only"}</dd>
      <dt>Created</dt><dd><${Time} value=${sshKey.created_at} /></dd>
      <dt>Changed</dt><dd><${Time} value=${sshKey.updated_at} /></dd>
    </dl>
    <h3 class="key-line-title">Public key</h3>
    <p class="key-line"><code data-role="public-key">${sshKey.public_key}</code></p>
    <p><${CopyButton} text=${sshKey.public_key} label="Copy the public key" /></p>
  </div>`;
}

/// Rename and re-comment; only what changed is sent.
export function EditKey({ sshKey, saved, cancel }) {
  const form = useForm(
    { name: sshKey.name, comment: sshKey.comment },
    validateWith({ name: nameRules, comment: [singleLine] }),
  );
  const submit = form.submit(async (v) => {
    const body = {};
    if (v.name.trim() !== sshKey.name) body.name = v.name.trim();
    if (v.comment.trim() !== sshKey.comment) body.comment = v.comment.trim();
    if (Object.keys(body).length === 0) return cancel();
    try {
      saved(await api.patch(`/api/v1/ssh-keys/${sshKey.id}`, body));
    } catch (error) {
      throw withKeyFields(error);
    }
  });
  return html`<form onSubmit=${submit} novalidate class="panel" aria-labelledby="edit-key-title">
    <h2 id="edit-key-title">Rename</h2>
    <${Field} form=${form} name="name" label="Name" required autocomplete="off" />
    <${Field} form=${form} name="comment" label="Comment"
      hint="Changes the public key's comment for later deployments" />
    <${FormError} form=${form} />
    <div class="form-actions">
      <${Submit} form=${form}>Save<//>
      <button type="button" onClick=${cancel}>Cancel</button>
    </div>
  </form>`;
}

/// Delete with a confirm: {busy, problem, remove(force)}. A 409 names the servers in the way; when only servers
/// that keep the key (but log in with a password) stand in the way, the server allows `force`.
export function useKeyDeletion(sshKey, deleted) {
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState(null);
  const remove = async (force) => {
    const question = force
      ? `Detach ${sshKey.name} from the servers that keep it, and delete it?`
      : `Delete the key ${sshKey.name}? Its private part is gone for good.`;
    if (!window.confirm(question)) return;
    setBusy(true);
    setProblem(null);
    try {
      await api.del(`/api/v1/ssh-keys/${sshKey.id}`, force ? { query: { force: "true" } } : {});
      deleted();
    } catch (error) {
      setProblem(error);
    } finally {
      setBusy(false);
    }
  };
  return { busy, problem, remove, clear: () => setProblem(null) };
}

/// Why the delete was refused (the server's detail), and "Delete anyway" where force would help.
export function KeyDeleteProblem({ deletion }) {
  const { problem, busy, remove } = deletion;
  if (!problem) return null;
  const canForce = problem.status === 409 && /force/i.test(problem.message);
  return html`<div class="error key-delete-error" role="alert">
    <p><strong>Not deleted:</strong> ${errorText(problem)}</p>
    ${canForce &&
    html`<p>
      <button type="button" class="danger" disabled=${busy} onClick=${() => remove(true)}>Delete anyway</button>
    </p>`}
  </div>`;
}

/// The servers that log in with the key or keep it (the route answers them all at once).
export function KeyServers({ keyId }) {
  // The servers that log in with the key (or keep it for later); a deploy or revoke does not change them.
  const loaded = useResource(`/api/v1/ssh-keys/${keyId}/servers`);
  const servers = loaded.data?.items;
  let body;
  if (loaded.error) body = html`<${ErrorMessage} error=${loaded.error} retry=${() => loaded.reload()} />`;
  else if (!servers) body = html`<${Loading} what="servers" />`;
  else if (servers.length === 0) body = html`<${Empty}>No server uses this key.<//>`;
  else
    body = html`<${TableWrap} label="Servers using this key"><table>
      <caption class="visually-hidden">Servers using this key</caption>
      <thead><tr>
        <th scope="col">Server</th><th scope="col">Address</th><th scope="col">Login</th><th scope="col">Status</th>
      </tr></thead>
      <tbody>${servers.map((s) => html`<tr key=${s.id}>
        <td><${Link} href=${`/servers/${s.id}`}>${s.name}<//></td>
        <td class="mono">${s.ssh_user}@${s.address}:${s.ssh_port}</td>
        <td>${s.auth_method === "key" ? "with this key" : "password (keeps the key)"}</td>
        <td><${Badge} value=${s.status} /></td>
      </tr>`)}</tbody>
    </table><//>`;
  return html`<div class="panel" role="region" aria-labelledby="key-servers-title">
    <h2 id="key-servers-title">Servers using this key</h2>
    ${body}
  </div>`;
}
