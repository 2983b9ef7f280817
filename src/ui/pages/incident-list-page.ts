import { FAULT_TYPES } from '../../investigation/model.ts';
import { html, type SafeHtml } from '../html.ts';
import { INCIDENT_STATUSES, type IncidentFilter, type IncidentPage } from '../incident-list.ts';
import { formatDuration } from '../../audit/timeline.ts';

const option = (value: string, label: string, selected: string | undefined) =>
  html`<option value="${value}"${selected === value ? html` selected` : ''}>${label}</option>`;

function filterForm(filter: Partial<IncidentFilter>): SafeHtml {
  return html`<form class="filters" method="get" action="/ui/incidents" aria-label="Filter incidents">
  <label>From <input type="date" name="from" value="${filter.from ?? ''}"></label>
  <label>To <input type="date" name="to" value="${filter.to ?? ''}"></label>
  <label>Status <select name="status">${option('', 'any', filter.status)}${INCIDENT_STATUSES.map((status) =>
    option(status, status, filter.status),
  )}</select></label>
  <label>Cluster <input type="text" name="cluster" value="${filter.cluster ?? ''}" size="12"></label>
  <label>Namespace <input type="text" name="namespace" value="${filter.namespace ?? ''}" size="14"></label>
  <label>Fault type <select name="fault">${option('', 'any', filter.fault)}${FAULT_TYPES.map((fault) =>
    option(fault, fault, filter.fault),
  )}</select></label>
  <label>Change executed <select name="changed">${option('', 'any', filter.changed)}${option('yes', 'yes', filter.changed)}${option('no', 'no', filter.changed)}</select></label>
  <button type="submit">Filter</button>
  <a href="/ui/incidents">Clear</a>
</form>`;
}

/** The same filters with another `before` (the next page). */
function olderLink(filter: IncidentFilter, before: string): string {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(filter)) if (value !== undefined && key !== 'before') query.set(key, value);
  query.set('before', before);
  return `/ui/incidents?${query}`;
}

export function incidentListBody(filter: Partial<IncidentFilter>, result: IncidentPage | { error: string }): SafeHtml {
  if ('error' in result)
    return html`<h1>Incidents</h1>${filterForm(filter)}<p class="error" role="alert">Filter not understood: ${result.error}</p>`;
  const rows = result.incidents.map(
    (incident) => html`<tr>
  <td class="nowrap">${incident.createdAt.toISOString().slice(0, 16).replace('T', ' ')}</td>
  <td><a href="/ui/incidents/${incident.id}">${incident.title}</a><div class="muted">${incident.source}</div></td>
  <td><span class="badge">${incident.status}</span></td>
  <td>${incident.cluster ?? html`<span class="muted">—</span>`}</td>
  <td>${incident.namespace ?? html`<span class="muted">—</span>`}</td>
  <td>${incident.rootCause ?? html`<span class="muted">none yet</span>`}${incident.faultType && html`<div class="muted">${incident.faultType}${incident.confidence !== null && ` · ${Math.round(incident.confidence * 100)}%`}</div>`}</td>
  <td class="num">${incident.timeToAnswerMs === null ? '—' : formatDuration(incident.timeToAnswerMs)}</td>
  <td>${incident.outcome}</td>
</tr>`,
  );
  return html`<h1>Incidents</h1>
${filterForm(filter)}
<table class="incidents">
<thead><tr><th>Opened (UTC)</th><th>Incident</th><th>Status</th><th>Cluster</th><th>Namespace</th><th>Root cause</th><th class="num">Time to answer</th><th>Outcome</th></tr></thead>
<tbody>
${rows.length > 0 ? rows : html`<tr><td colspan="8" class="muted">No incident matches these filters.</td></tr>`}
</tbody>
</table>
${result.olderThan && html`<p><a href="${olderLink(filter as IncidentFilter, result.olderThan)}">Older incidents →</a></p>`}`;
}
