// One audit event: a table row that opens in place to its details, and the details themselves. Everything the
// event holds came from a request (user agents, names, details) and is shown as text, never as HTML.
import { Fragment } from "preact";
import { Link } from "wouter-preact";
import { html } from "../html.js";
import { Badge } from "./badge.js";
import { Time } from "./time.js";

/// Who acted: the user's name, else the id, else the kind (anonymous, system ...).
export function actorText(actor) {
  return actor?.name || actor?.id || actor?.kind || "—";
}

export function resourceText(resource) {
  if (!resource?.type && !resource?.id) return "—";
  return [resource.type, resource.id].filter(Boolean).join(" ");
}

/// Where the event can be opened on its own: its time narrows the search (there is no GET of one event).
export function eventHref(event) {
  return `/audit/${encodeURIComponent(event.id)}?at=${encodeURIComponent(event.time)}`;
}

function Missing() {
  return html`<span class="hint">—</span>`;
}

/// The details of `event` as a definition list and its details JSON as text.
export function EventFacts({ event, headingLevel = 3 }) {
  const actor = event.actor || {};
  const details = event.details && Object.keys(event.details).length ? JSON.stringify(event.details, null, 2) : null;
  const Heading = `h${headingLevel}`;
  return html`<div class="audit-facts">
    <dl class="facts">
      <dt>Time</dt><dd><${Time} value=${event.time} /></dd>
      <dt>Action</dt><dd class="mono" data-field="action">${event.action}</dd>
      <dt>Outcome</dt><dd data-field="outcome"><${Badge} value=${event.outcome} /></dd>
      <dt>Actor</dt>
      <dd data-field="actor">
        ${actorText(actor)}
        ${actor.kind && actor.kind !== "user" ? html` <span class="tag">${actor.kind}</span>` : null}
        ${actor.id && actor.name ? html` <span class="mono hint">${actor.id}</span>` : null}
        ${(actor.name || actor.id) &&
        html` <${Link} href=${`/audit?actor=${encodeURIComponent(actor.name || actor.id)}`}>events by this actor<//>`}
      </dd>
      <dt>Source IP</dt><dd class="mono" data-field="source_ip">${event.source_ip || html`<${Missing} />`}</dd>
      <dt>User agent</dt><dd class="mono" data-field="user_agent">${event.user_agent || html`<${Missing} />`}</dd>
      <dt>Resource</dt><dd class="mono" data-field="resource">${resourceText(event.resource)}</dd>
      <dt>HTTP status</dt><dd data-field="status">${event.status ?? html`<${Missing} />`}</dd>
      <dt>Request id</dt><dd class="mono" data-field="request_id">${event.request_id || html`<${Missing} />`}</dd>
      <dt>Event id</dt><dd class="mono" data-field="id">${event.id}</dd>
    </dl>
    <${Heading} class="audit-details-title">Details<//>
    ${details
      ? html`<pre class="audit-json" data-field="details" tabindex="0" aria-label="Details as JSON">${details}</pre>`
      : html`<p class="hint" data-field="details">No details recorded.</p>`}
  </div>`;
}

/// A row of the events table and, when `open`, a second row with its details.
export function EventRow({ event, open, toggle }) {
  const detailsId = `audit-event-${event.id}`;
  return html`<${Fragment} key=${event.id}>
    <tr class="audit-row" data-id=${event.id}>
      <td>
        <button type="button" class="link audit-toggle" aria-expanded=${open ? "true" : "false"}
          aria-controls=${open ? detailsId : undefined} onClick=${() => toggle(event.id)}>
          ${open ? "Hide details" : "Details"}
        </button>
      </td>
      <td data-col="time"><${Time} value=${event.time} /></td>
      <td data-col="actor">${actorText(event.actor)}</td>
      <td data-col="action" class="mono">${event.action}</td>
      <td data-col="outcome"><${Badge} value=${event.outcome} /></td>
      <td data-col="resource" class="mono">${resourceText(event.resource)}</td>
    </tr>
    ${open &&
    html`<tr class="audit-details" id=${detailsId}>
      <td colspan="6">
        <div class="audit-details-box">
          <${EventFacts} event=${event} />
          <p><${Link} href=${eventHref(event)}>Open this event on its own page<//></p>
        </div>
      </td>
    </tr>`}
  <//>`;
}
