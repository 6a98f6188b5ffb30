// The audit trail (admins): events newest first, filtered on the server by actor, action, outcome and time range
// (all kept in the URL, so the dashboard can link to failed logins), paged with "Load more"; each event opens in
// place to its details; above them the events per day. /audit/:id shows one event on its own.
import { useEffect, useState } from "preact/hooks";
import { Link, useSearch } from "wouter-preact";
import { api } from "../api.js";
import { AuditChart, useAuditStats } from "../components/audit_chart.js";
import { EventFacts, EventRow } from "../components/audit_event.js";
import { AuditFilters, limitOf, rangeError } from "../components/audit_filters.js";
import { ErrorMessage, Loading } from "../components/feedback.js";
import { PageHeader } from "../components/layout.js";
import { PagedTable, usePaged, useQueryState } from "../components/list.js";
import { html } from "../html.js";
import "./audit.css";

const filterNames = ["actor", "action", "outcome", "since", "until"];

export function Audit() {
  const [query, setQuery] = useQueryState();
  const [open, setOpen] = useState(() => new Set());
  const valid = !rangeError(query);
  const filters = Object.fromEntries(filterNames.map((k) => [k, query[k]]));
  const list = usePaged("/api/v1/audit/events", filters, { limit: limitOf(query), enabled: valid });
  const stats = useAuditStats(valid ? query.since : undefined, valid ? query.until : undefined);
  const actions = stats.items ? [...new Set(stats.items.map((r) => r.action))].sort() : [];
  const toggle = (id) =>
    setOpen((was) => {
      const next = new Set(was);
      if (!next.delete(id)) next.add(id);
      return next;
    });
  const refresh = () => {
    list.reload();
    stats.reload();
  };
  const filtered = filterNames.some((k) => query[k]);
  return html`<section class="audit">
    <${PageHeader} title="Audit">
      <button type="button" onClick=${refresh}>Refresh</button>
    <//>
    <${AuditFilters} query=${query} set=${setQuery} actions=${actions} />
    ${valid &&
    html`<div class="panel audit-stats" role="region" aria-labelledby="audit-stats-title">
      <h2 id="audit-stats-title">Events per day</h2>
      <${AuditChart} stats=${stats} />
    </div>`}
    <h2 class="visually-hidden">Events</h2>
    ${valid &&
    html`<${PagedTable} list=${list} caption="Audit events, newest first"
      empty=${filtered ? "No audit event matches these filters." : "No audit events yet."}
      columns=${[html`<span class="visually-hidden">Details</span>`, "Time", "Actor", "Action", "Outcome", "Resource"]}
      row=${(e) => html`<${EventRow} key=${e.id} event=${e} open=${open.has(e.id)} toggle=${toggle} />`} />`}
  </section>`;
}

const pageSize = 500;
const maxPages = 20;

/// Finds event `id`: around its time `at` when the link carries it, else among the newest events (bounded).
async function findEvent(id, at) {
  let query = {};
  const time = at ? new Date(at) : null;
  if (time && !Number.isNaN(time.getTime())) {
    // Times are shown to the millisecond; a second each side covers any rounding in storage.
    const around = (ms) => new Date(time.getTime() + ms).toISOString();
    query = { since: around(-1000), until: around(1000) };
  }
  let cursor;
  for (let page = 0; page < maxPages; page++) {
    const body = await api.get("/api/v1/audit/events", { ...query, limit: pageSize, cursor });
    const found = body.items.find((e) => e.id === id);
    if (found) return found;
    if (!body.next_cursor) return null;
    cursor = body.next_cursor;
  }
  return null;
}

export function AuditDetail({ params }) {
  const at = new URLSearchParams(useSearch()).get("at");
  const [state, setState] = useState({ event: undefined, error: null });
  const load = () => {
    let live = true;
    setState({ event: undefined, error: null });
    findEvent(params.id, at).then(
      (event) => live && setState({ event, error: null }),
      (error) => live && setState({ event: undefined, error }),
    );
    return () => {
      live = false;
    };
  };
  useEffect(load, [params.id, at]);
  const back = html`<${Link} href="/audit" class="button">All events<//>`;
  let body;
  if (state.error) body = html`<${ErrorMessage} error=${state.error} retry=${load} />`;
  else if (state.event === undefined) body = html`<${Loading} what="the event" />`;
  else if (state.event === null)
    body = html`<p class="empty">
      No audit event with this id was found ${at ? "at the time in the link" : "among recent events"}.
    </p>`;
  else body = html`<div class="panel"><${EventFacts} event=${state.event} headingLevel=${2} /></div>`;
  return html`<section class="audit">
    <${PageHeader} title="Audit event">${back}<//>
    ${body}
  </section>`;
}
