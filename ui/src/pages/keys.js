// SSH keys: the list (paged on the server), generate and import; one key with its public part, download,
// rename, delete, the servers that use it, and deploy / revoke on chosen servers with each server's result.
import "./keys.css";
import { useEffect, useState } from "preact/hooks";
import { Link, useLocation } from "wouter-preact";
import { can } from "../api.js";
import { ActionButton } from "../components/actions.js";
import { ErrorMessage, Loading, Notice } from "../components/feedback.js";
import { DeployPanel } from "../components/keys_deploy.js";
import { GenerateForm, ImportForm } from "../components/keys_forms.js";
import {
  EditKey, KeyDeleteProblem, KeyFacts, KeyServers, downloadPublic, kindOf, useKeyDeletion,
} from "../components/keys_info.js";
import { PageHeader } from "../components/layout.js";
import { PagedTable, usePaged, useQueryState } from "../components/list.js";
import { useResource } from "../components/resource.js";
import { Time } from "../components/time.js";
import { html } from "../html.js";

export function Keys() {
  const [query, setQuery] = useQueryState();
  const [, navigate] = useLocation();
  const list = usePaged("/api/v1/ssh-keys", {}, { limit: 50 });
  // Which form is open lives in the URL (?add=generate|import), so it survives a reload and can be linked.
  const adding = can("operator") ? query.add : undefined;
  const open = (which) => setQuery({ add: adding === which ? "" : which });
  const created = (key) => navigate(`/keys/${key.id}?new=1`);
  return html`<section class="key-page">
    <${PageHeader} title="SSH keys">
      ${can("operator") &&
      html`<button type="button" class="primary" aria-expanded=${adding === "generate"}
          onClick=${() => open("generate")}>Generate a key</button>
        <button type="button" aria-expanded=${adding === "import"}
          onClick=${() => open("import")}>Import a key</button>`}
    <//>
    ${adding === "generate" && html`<${GenerateForm} done=${created} cancel=${() => setQuery({ add: "" })} />`}
    ${adding === "import" && html`<${ImportForm} done=${created} cancel=${() => setQuery({ add: "" })} />`}
    <${PagedTable} list=${list} caption="SSH keys" empty="No SSH key yet. Generate or import one."
      columns=${["Name", "Type", "Fingerprint", "Comment", "Private key", "Created"]}
      row=${(k) => html`<tr key=${k.id}>
        <td><${Link} href=${`/keys/${k.id}`}>${k.name}<//></td>
        <td class="nowrap">${kindOf(k)}</td>
        <td class="mono key-fingerprint">${k.fingerprint}</td>
        <td>${k.comment || "—"}</td>
        <td>${k.has_private_key ? "stored" : "public only"}</td>
        <td><${Time} value=${k.created_at} /></td>
      </tr>`} />
  </section>`;
}

export function KeysDetail({ params }) {
  const loaded = useResource(`/api/v1/ssh-keys/${params.id}`);
  const sshKey = loaded.data;
  const [editing, setEditing] = useState(false);
  const [query] = useQueryState();
  const [, navigate] = useLocation();
  const deletion = useKeyDeletion(sshKey, () => navigate("/keys"));
  useEffect(() => {
    setEditing(false);
    deletion.clear();
  }, [params.id]);
  if (loaded.error) {
    return html`<section class="key-page">
      <${PageHeader} title="SSH key" /><${ErrorMessage} error=${loaded.error} retry=${() => loaded.reload()} />
    </section>`;
  }
  if (!sshKey) return html`<${Loading} what="the key" />`;
  const operator = can("operator");
  return html`<section class="key-page">
    <${PageHeader} title=${sshKey.name}>
      <${ActionButton} action=${() => downloadPublic(sshKey)}>Download public key<//>
      ${operator &&
      html`<button type="button" aria-expanded=${editing} onClick=${() => setEditing(!editing)}>Rename</button>`}
      ${operator &&
      html`<button type="button" class="danger" disabled=${deletion.busy}
        onClick=${() => deletion.remove(false)}>Delete</button>`}
      <${Link} href="/keys" class="button">All keys<//>
    <//>
    <${KeyDeleteProblem} deletion=${deletion} />
    ${query.new && html`<${Notice} kind="good">Key ${sshKey.name} stored. Deploy it to servers below.<//>`}
    ${editing &&
    html`<${EditKey} sshKey=${sshKey} cancel=${() => setEditing(false)}
      saved=${(k) => {
        loaded.set(k);
        setEditing(false);
      }} />`}
    <div class="grid key-grid">
      <${KeyFacts} sshKey=${sshKey} />
      <${KeyServers} keyId=${sshKey.id} />
    </div>
    ${operator && html`<${DeployPanel} keyId=${sshKey.id} />`}
  </section>`;
}
