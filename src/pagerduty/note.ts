import { refKey } from '../investigation/model.ts';
import type { StoredResult } from '../store/stored-result.ts';

/** PagerDuty shows notes as plain text; a long one is cut well below its limit, the thread has the rest. */
const MAX_NOTE = 4_000;
const EVIDENCE_LINES = 5;

/**
 * The diagnosis as a PagerDuty note: what whoever opens the incident in PagerDuty needs first — the root cause,
 * its confidence, the evidence it rests on, what was ruled out — and the Slack thread where everything else is.
 * Plain text: PagerDuty does not render Slack mrkdwn.
 */
export function noteContent(result: StoredResult, threadLink: string | null): string {
  const lines: string[] = [];
  const confidence = `${Math.round(result.confidence * 100)}%`;
  if (result.rootCause)
    lines.push(`incident-bot diagnosis: ${refKey(result.rootCause)} (${result.faultType ?? 'other'}, ${confidence})`);
  else lines.push('incident-bot diagnosis: no root cause found');
  lines.push(result.summary);
  const evidence = (result.hypotheses[0]?.evidence ?? []).slice(0, EVIDENCE_LINES);
  if (evidence.length > 0) {
    lines.push('', 'Evidence:');
    for (const item of evidence) lines.push(`- ${refKey(item.ref)}: ${item.text}`);
  }
  if (result.ruledOut.length > 0) {
    lines.push('', 'Ruled out:');
    for (const ruled of result.ruledOut.slice(0, EVIDENCE_LINES))
      lines.push(`- ${refKey(ruled.entity)}: ${ruled.reason}`);
  }
  if (result.remediation) lines.push('', `Proposed fix (needs approval in Slack): ${result.remediation.summary}`);
  const tail = `\n\nSlack thread: ${threadLink ?? 'not available'}`;
  const body = lines.join('\n');
  return body.length + tail.length <= MAX_NOTE
    ? `${body}${tail}`
    : `${body.slice(0, MAX_NOTE - tail.length - 1)}…${tail}`;
}
