// Generating and importing SSH keys. The server names a refused field in `errors` ("name", "bits", "comment",
// "private_key"); what it says only in prose (a key it cannot read, a wrong passphrase, a key already stored) is
// read from the detail, so either shows next to the field it is about.
import { useState } from "preact/hooks";
import { api, request } from "../api.js";
import { Field, FormError, Submit, check, renameFields, useForm, validateWith } from "./form.js";
import { html } from "../html.js";

// Problems about the key material carry no `errors`: the words of their details mapped to the forms' fields.
const proseFields = [
  [/comment/i, "comment"],
  [/passphrase/i, "passphrase"],
  [/private key|public key|private_key|public_key|already stored/i, "key"],
];

/// `error` with `fields` under the forms' names (the key's text is "key", or "file" when uploaded), filled from its
/// detail when the server sent none, so Field shows it in place.
export function withKeyFields(error, fileMode = false) {
  const key = fileMode ? "file" : "key";
  renameFields(error, { private_key: key, public_key: key });
  if (Object.keys(error.fields || {}).length === 0 && error.message) {
    const found = proseFields.find(([pattern]) => pattern.test(error.message));
    if (found) error.fields = { [found[1] === "key" ? key : found[1]]: error.message };
  }
  return error;
}

export const singleLine = (v) =>
  v && /[\u0000-\u001f\u007f]/.test(v) ? "One line, without tabs or control characters." : null;
export const nameRules = [check.required, check.maxLength(100, { trimmed: true })];

async function send(action) {
  try {
    return await action();
  } catch (error) {
    throw withKeyFields(error);
  }
}

/// Generate an Ed25519 or RSA key pair; gatehouse keeps the private part. `done(key)` after it is stored.
export function GenerateForm({ done, cancel }) {
  const form = useForm(
    { name: "", type: "ed25519", bits: "3072", comment: "" },
    validateWith({ name: nameRules, comment: [singleLine] }),
  );
  const submit = form.submit(async (v) => {
    const body = { name: v.name.trim(), type: v.type };
    if (v.type === "rsa") body.bits = Number(v.bits);
    if (v.comment.trim()) body.comment = v.comment.trim();
    done(await send(() => api.post("/api/v1/ssh-keys/generate", body)));
  });
  return html`<form onSubmit=${submit} novalidate class="panel" aria-labelledby="generate-title">
    <h2 id="generate-title">Generate a key</h2>
    <${Field} form=${form} name="name" label="Name" required hint="Unique, e.g. deploy-2026" autocomplete="off" />
    <${Field} form=${form} name="type" label="Type" type="select"
      options=${[["ed25519", "Ed25519 (recommended)"], ["rsa", "RSA"]]} />
    ${form.values.type === "rsa" &&
    html`<${Field} form=${form} name="bits" label="Bits" type="select"
      options=${[["2048", "2048"], ["3072", "3072"], ["4096", "4096"]]} />`}
    <${Field} form=${form} name="comment" label="Comment" hint="The public key's last word, e.g. deploy@gatehouse" />
    <${FormError} form=${form} />
    <div class="form-actions">
      <${Submit} form=${form}>Generate<//>
      <button type="button" onClick=${cancel}>Cancel</button>
    </div>
  </form>`;
}

/// The file control of the import form: kept outside Field because a file input's value cannot be set.
function FileField({ form, file, setFile }) {
  const error = form.errors.file;
  return html`<div class=${`field ${error ? "invalid" : ""}`}>
    <label for="key-file" class="required">Key file</label>
    <input id="key-file" name="file" type="file" aria-invalid=${error ? "true" : undefined}
      aria-describedby=${`key-file-hint${error ? " key-file-error" : ""}`}
      onChange=${(e) => setFile(e.currentTarget.files[0] || null)} />
    <small id="key-file-hint" class="hint">
      ${file ? `${file.name}, ${file.size} bytes` : "A private key (id_ed25519) or a public one (.pub)"}
    </small>
    ${error && html`<small id="key-file-error" class="field-error">${error}</small>`}
  </div>`;
}

/// Import a key: pasted (a private key, or an authorized_keys line) or uploaded as a file (multipart).
export function ImportForm({ done, cancel }) {
  const [file, setFile] = useState(null);
  const form = useForm(
    { mode: "paste", name: "", key: "", passphrase: "", comment: "" },
    validateWith({
      name: nameRules,
      key: [(v, all) => (all.mode === "paste" ? check.required(v) : null)],
      comment: [singleLine],
    }),
  );
  const submit = form.submit(async (v) => {
    if (v.mode === "file" && !file) {
      throw Object.assign(new Error("Choose a key file."), { fields: { file: "Required." } });
    }
    const name = v.name.trim();
    const comment = v.comment.trim();
    let key;
    try {
      if (v.mode === "file") {
        const body = new FormData();
        body.append("name", name);
        if (comment) body.append("comment", comment);
        if (v.passphrase) body.append("passphrase", v.passphrase);
        body.append("file", file, file.name);
        key = await request("POST", "/api/v1/ssh-keys/import", { form: body });
      } else {
        // A private key carries its armour line; anything else is taken for an authorized_keys line.
        const text = v.key.trim();
        const body = { name, ...(/PRIVATE KEY-----/.test(text) ? { private_key: `${text}\n` } : { public_key: text }) };
        if (comment) body.comment = comment;
        if (v.passphrase) body.passphrase = v.passphrase;
        key = await api.post("/api/v1/ssh-keys/import", body);
      }
    } catch (error) {
      throw withKeyFields(error, v.mode === "file");
    }
    done(key);
  });
  const paste = form.values.mode === "paste";
  return html`<form onSubmit=${submit} novalidate class="panel" aria-labelledby="import-title">
    <h2 id="import-title">Import a key</h2>
    <${Field} form=${form} name="name" label="Name" required autocomplete="off" />
    <${Field} form=${form} name="mode" label="From" type="select"
      options=${[["paste", "Pasted text"], ["file", "A file"]]} />
    ${paste
      ? html`<${Field} form=${form} name="key" label="Key" type="textarea" required spellcheck="false"
          hint="A private key (OpenSSH or PEM) or a public key line (ssh-ed25519 AAAA… comment)" />`
      : html`<${FileField} form=${form} file=${file} setFile=${setFile} />`}
    <${Field} form=${form} name="passphrase" label="Passphrase" type="password" autocomplete="off"
      hint="Only for an encrypted private key; not stored" />
    <${Field} form=${form} name="comment" label="Comment" hint="Blank: the key's own comment" />
    <${FormError} form=${form} />
    <div class="form-actions">
      <${Submit} form=${form}>Import<//>
      <button type="button" onClick=${cancel}>Cancel</button>
    </div>
  </form>`;
}
