import type { AuditEvent } from '../../generated/prisma/client.ts';
import { html, type SafeHtml } from '../html.ts';
import { entityLabel } from '../../investigation/model.ts';
import { type IncidentView, PROBLEM_WORDS } from '../incident-view.ts';
import { durationsLine, formatDuration, kindLabel, type Timeline } from '../../audit/timeline.ts';

const time = (at: Date | string) => new Date(at).toISOString().replace('T', ' ').slice(0, 19);

function integrity(view: IncidentView): SafeHtml {
  const { chain } = view.record;
  const checkpoint = chain.checkpoint
    ? html`Checked against the latest external checkpoint: <strong>${chain.checkpoint.at}</strong> (seq ≤ ${chain.checkpoint.lastSeq}) from ${view.checkpointSource}${
        chain.checkpoint.heads
          ? html`; ${chain.uncoveredRows} newer event(s) of this chain are protected by the chain alone until the next checkpoint.`
          : html`; that checkpoint carries no list of chain heads, so a deleted tail of this chain is found by <code>audit verify</code> only.`
      }`
    : html`No external checkpoint to compare with (${view.checkpointSource}): deleting this chain's newest events could not be detected.`;
  const key = view.keyed
    ? ''
    : html`<p class="error">AUDIT_HMAC_KEY is not set: the chain uses the public development key, so a database superuser could recompute its hashes.</p>`;
  if (chain.ok)
    return html`<section class="integrity ok" id="integrity" aria-label="Chain integrity">
<h2>✔ Verified</h2>
<p>All ${chain.rows} audit events of this incident are intact and in order (keyed hash chain recomputed).</p>
<p>${checkpoint}</p>${key}
</section>`;
  return html`<section class="integrity failed" id="integrity" aria-label="Chain integrity">
<h2>✘ Not verified: ${chain.problems.length} problem(s) in this incident's audit chain</h2>
<ul>${chain.problems.map(
    (problem) =>
      html`<li><span class="problem-kind">seq ${problem.seq} ${PROBLEM_WORDS[problem.kind]}</span>: ${problem.message}</li>`,
  )}</ul>
<p>${checkpoint}</p>${key}
</section>`;
}

function facts(view: IncidentView): SafeHtml {
  const { summary, links, record } = view;
  const id = record.incident.id;
  return html`<dl class="facts">
<dt>Status</dt><dd><span class="badge">${summary.status}</span> (round ${record.incident.round})</dd>
<dt>Source</dt><dd>${record.incident.externalId}</dd>
<dt>Cluster</dt><dd>${summary.cluster ?? '—'}</dd>
<dt>Namespace</dt><dd>${summary.namespace ?? '—'}</dd>
<dt>Opened</dt><dd>${time(summary.createdAt)} UTC</dd>
<dt>Time to answer</dt><dd>${summary.timeToAnswerMs === null ? 'not answered' : formatDuration(summary.timeToAnswerMs)}</dd>
<dt>Outcome</dt><dd>${summary.outcome}</dd>
</dl>
<p class="links">
${links.slackThread ? html`<a href="${links.slackThread}" rel="noopener noreferrer">Slack thread</a>` : html`<span class="muted">no Slack thread</span>`}
${links.pagerDuty && html`<a href="${links.pagerDuty}" rel="noopener noreferrer">PagerDuty incident</a>`}
<a href="/ui/incidents/${id}/record.json" download>Download JSON</a>
<a href="/ui/incidents/${id}/record.md" download>Download Markdown</a>
</p>`;
}

function answer(view: IncidentView): SafeHtml {
  const found = view.answer;
  if (!found) return html`<h2>Answer</h2><p class="muted">No answer yet.</p>`;
  const evidence = found.hypotheses[0]?.evidence ?? [];
  return html`<h2>Answer</h2>
<p><strong>${found.rootCause ? entityLabel(found.rootCause) : 'No root cause found'}</strong>${found.faultType && html` · ${found.faultType}`} · ${Math.round(found.confidence * 100)}% — ${found.summary}</p>
${evidence.length > 0 && html`<h3>Evidence</h3><ul>${evidence.map((item) => html`<li>${item.source} of ${entityLabel(item.ref)}: ${item.text}</li>`)}</ul>`}
${found.ruledOut.length > 0 && html`<h3>Ruled out</h3><ul>${found.ruledOut.map((ruled) => html`<li>${entityLabel(ruled.entity)}: ${ruled.reason}</li>`)}</ul>`}
${found.assumptions.length > 0 && html`<h3>Assumed</h3><ul>${found.assumptions.map((assumption) => html`<li>${assumption}</li>`)}</ul>`}`;
}

function plans(view: IncidentView): SafeHtml {
  if (view.record.plans.length === 0) return html`<h2>Plan</h2><p class="muted">No remediation plan.</p>`;
  return html`<h2>Plan</h2>${view.record.plans.map(
    (plan) => html`<div class="plan">
<p><strong>${plan.summary}</strong> · <span class="badge">${plan.status}</span> · risk ${plan.risk}${plan.spec && `: ${plan.spec.riskReason}`}</p>
${
  plan.spec
    ? html`<pre>${plan.spec.diff}</pre>
<p>Rollback: ${plan.spec.rollback}</p>`
    : html`<p class="error">Unreadable: ${plan.unreadable}</p>`
}
<table><thead><tr><th>Decision</th><th>Who</th><th>When (UTC)</th><th>Reason</th></tr></thead><tbody>
${plan.approvals.length > 0 ? plan.approvals.map((approval) => html`<tr><td>${approval.decision}</td><td>${approval.userId}</td><td class="nowrap">${time(approval.createdAt)}</td><td>${approval.reason ?? ''}</td></tr>`) : html`<tr><td colspan="4" class="muted">No decision yet (${plan.requiredApprovals} approval(s) needed).</td></tr>`}
</tbody></table>
</div>`,
  )}`;
}

/** What the verification says of the event at `seq`, under it wherever it is shown. */
const problemNotes = (view: IncidentView, seq: string) =>
  view.problems
    .get(seq)
    ?.map((problem) => html`<div class="problem-kind">${PROBLEM_WORDS[problem.kind]}: ${problem.message}</div>`);

function timeline(view: IncidentView, story: Timeline): SafeHtml {
  return html`<h2>Timeline</h2>
<p>Time to ${durationsLine(story.durations)}.</p>
<table class="timeline"><thead><tr><th>Time (UTC)</th><th class="num">Since alert</th><th>What</th><th>Event</th><th>Who</th><th class="num">Seq</th></tr></thead><tbody>
${story.entries.map((entry) => {
  const problems = view.problems.get(entry.seq);
  return html`<tr${problems ? html` class="problem"` : ''}><td class="nowrap">${time(entry.at)}</td><td class="num">+${formatDuration(entry.sinceAlertMs)}</td><td>${kindLabel(entry.kind)}</td><td>${entry.text}${problemNotes(view, entry.seq)}</td><td>${entry.actor}</td><td class="num">${entry.seq}</td></tr>`;
})}
</tbody></table>`;
}

/** Every row of the chain, with the missing seqs the verification names in their place. */
function chainRows(view: IncidentView): SafeHtml {
  const present = new Set(view.record.events.map((event) => event.seq.toString()));
  const missing = [...view.problems.keys()].filter((seq) => !present.has(seq));
  const rows: (AuditEvent | string)[] = [...view.record.events, ...missing];
  rows.sort((a, b) => {
    const x = typeof a === 'string' ? BigInt(a) : a.seq;
    const y = typeof b === 'string' ? BigInt(b) : b.seq;
    return x < y ? -1 : x > y ? 1 : 0;
  });
  return html`<h2>Audit chain</h2>
<details${view.record.chain.ok ? '' : html` open`}><summary>All ${view.record.events.length} events, as stored</summary>
<table class="chain"><thead><tr><th class="num">Seq</th><th>At (UTC)</th><th>Actor</th><th>Action</th><th>Target</th><th>Justification</th></tr></thead><tbody>
${rows.map((row) =>
  typeof row === 'string'
    ? html`<tr class="problem"><td class="num">${row}</td><td colspan="5">${problemNotes(view, row)}</td></tr>`
    : html`<tr${view.problems.has(row.seq.toString()) ? html` class="problem"` : ''}><td class="num">${row.seq}</td><td class="nowrap">${time(row.at)}</td><td>${row.actor}</td><td>${row.action}</td><td>${row.target ?? ''}</td><td>${row.justification ?? ''}${problemNotes(view, row.seq.toString())}</td></tr>`,
)}
</tbody></table></details>`;
}

export function incidentPageBody(view: IncidentView, story: Timeline): SafeHtml {
  return html`<p><a href="/ui/incidents">← Incidents</a></p>
<h1>${view.record.incident.title}</h1>
${integrity(view)}
${facts(view)}
${answer(view)}
${plans(view)}
${timeline(view, story)}
${chainRows(view)}`;
}
