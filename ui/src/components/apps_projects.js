// Projects: a paged list whose names filter the apps below, and (operators) an inline form to create or edit one
// and a delete that takes the project's apps with it.
import { useState } from "preact/hooks";
import { Link } from "wouter-preact";
import { api, can } from "../api.js";
import { html } from "../html.js";
import { ActionButton } from "./actions.js";
import { Field, FormError, Submit, check, useForm, validateWith } from "./form.js";
import { PagedTable, usePaged } from "./list.js";
import { Time } from "./time.js";

const validate = validateWith({
  name: [check.required, check.maxLength(128, { trimmed: true })],
  description: [check.maxLength(4096)],
});

function ProjectForm({ project, done, cancel }) {
  const form = useForm({ name: project?.name || "", description: project?.description || "" }, validate);
  const submit = form.submit(async (v) => {
    const body = { name: v.name.trim(), description: v.description };
    const path = project ? `/api/v1/projects/${project.id}` : "/api/v1/projects";
    done(project ? await api.patch(path, body) : await api.post(path, body));
  });
  const title = project ? `Edit project ${project.name}` : "New project";
  return html`<form onSubmit=${submit} novalidate class="panel apps-form" aria-label=${title}>
    <h3>${title}</h3>
    <${Field} form=${form} name="name" label="Project name" required hint="Unique; up to 128 characters" />
    <${Field} form=${form} name="description" label="Description" type="textarea" />
    <${FormError} form=${form} />
    <div class="form-actions">
      <${Submit} form=${form}>${project ? "Save project" : "Create project"}<//>
      <button type="button" onClick=${cancel}>Cancel</button>
    </div>
  </form>`;
}

/// `selected`: the project whose apps are shown; `select(id)` changes it; `changed()` after any write.
export function ProjectsPanel({ selected, select, changed }) {
  const list = usePaged("/api/v1/projects", {}, { limit: 50 });
  const [editing, setEditing] = useState(null); // null, "new" or a project
  const operator = can("operator");
  const saved = (project) => {
    setEditing(null);
    list.reload();
    changed();
    select(project.id);
  };
  const removed = (project) => {
    list.setItems((items) => items.filter((p) => p.id !== project.id));
    changed();
    if (selected === project.id) select("");
  };
  const columns = ["Project", "Description", "Created", ...(operator ? ["Actions"] : [])];
  return html`<section class="apps-projects" aria-labelledby="projects-title">
    <div class="apps-section-head">
      <h2 id="projects-title">Projects</h2>
      ${operator && !editing &&
      html`<button type="button" class="primary" onClick=${() => setEditing("new")}>New project</button>`}
    </div>
    ${editing &&
    html`<${ProjectForm} key=${editing === "new" ? "new" : editing.id} project=${editing === "new" ? null : editing}
      done=${saved} cancel=${() => setEditing(null)} />`}
    <${PagedTable} list=${list} caption="Projects" columns=${columns}
      empty=${operator ? "No project yet. Create one to group apps." : "No project yet."}
      row=${(p) => html`<tr key=${p.id} class=${p.id === selected ? "apps-selected" : undefined}>
        <td><${Link} href=${`/apps?project_id=${p.id}`} aria-current=${p.id === selected ? "true" : undefined}
          >${p.name}<//></td>
        <td class="apps-description">${p.description || "—"}</td>
        <td><${Time} value=${p.created_at} /></td>
        ${operator &&
        html`<td class="apps-actions">
          <button type="button" onClick=${() => setEditing(p)} aria-label=${`Edit project ${p.name}`}>Edit</button>
          <${ActionButton} kind="danger" label=${`Delete project ${p.name}`}
            confirm=${`Delete the project ${p.name} and all its apps? Their containers are left as they are.`}
            action=${() => api.del(`/api/v1/projects/${p.id}`)} done=${() => removed(p)}>Delete<//>
        </td>`}
      </tr>`} />
  </section>`;
}
