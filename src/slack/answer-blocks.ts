import type { types } from '@slack/bolt';
import type { Evidence, InvestigationResult } from '../investigation/model.ts';
import { entityLabel as entity } from '../investigation/model.ts';
import { clip, escapeMrkdwn, HEADER_TEXT, MAX_BLOCKS, SECTION_TEXT } from './mrkdwn.ts';

type KnownBlock = types.KnownBlock;

const percent = (confidence: number): string => `${Math.round(confidence * 100)}%`;

const section = (text: string): KnownBlock => ({
  type: 'section',
  text: { type: 'mrkdwn', text: clip(text, SECTION_TEXT) },
});

/** Bullet lines, as many as fit in one section, saying how many were left out. */
function bullets(title: string, lines: string[]): KnownBlock | null {
  if (lines.length === 0) return null;
  const kept: string[] = [];
  let length = title.length + 40;
  for (const line of lines) {
    const bullet = `• ${clip(line, 500)}`;
    if (length + bullet.length + 1 > SECTION_TEXT) break;
    kept.push(bullet);
    length += bullet.length + 1;
  }
  const more = lines.length - kept.length;
  return section([`*${title}*`, ...kept, ...(more > 0 ? [`_…and ${more} more_`] : [])].join('\n'));
}

const evidenceLine = (evidence: Evidence): string =>
  `${escapeMrkdwn(entity(evidence.ref))} (${evidence.source}): ${escapeMrkdwn(evidence.text)}`;

/** The one final reply of an investigation: root cause, confidence, evidence, ruled out, next steps. */
export function answerMessage(result: InvestigationResult): { text: string; blocks: KnownBlock[] } {
  const top = result.hypotheses[0];
  const headline = result.rootCause
    ? `Root cause: ${entity(result.rootCause)}${result.faultType ? ` (${result.faultType})` : ''}`
    : 'No root cause identified';
  const evidence = (top?.evidence ?? []).map(evidenceLine);
  const alternatives = result.hypotheses
    .slice(1)
    .map((h) => `${escapeMrkdwn(entity(h.entity))} — ${percent(h.confidence)}: ${escapeMrkdwn(h.summary)}`);
  const ruledOut = result.ruledOut.map((r) => `${escapeMrkdwn(entity(r.entity))}: ${escapeMrkdwn(r.reason)}`);
  const nextSteps = [
    ...(result.remediation
      ? [
          `Proposed remediation: ${escapeMrkdwn(result.remediation.summary)} (a plan follows; nothing changes without approval)`,
        ]
      : ['No automatic remediation proposed.']),
    ...result.assumptions.map((assumption) => `Assumed: ${escapeMrkdwn(assumption)}`),
  ];
  const blocks = [
    { type: 'header', text: { type: 'plain_text', text: clip(headline, HEADER_TEXT) } } satisfies KnownBlock,
    section(`${escapeMrkdwn(result.summary)}\n*Confidence:* ${percent(result.confidence)}`),
    bullets('Evidence', evidence),
    bullets('Other hypotheses', alternatives),
    bullets('Ruled out', ruledOut),
    bullets('Next steps', nextSteps),
  ].filter((block): block is KnownBlock => block !== null);
  return {
    text: clip(`${escapeMrkdwn(headline)} — ${escapeMrkdwn(result.summary)}`, SECTION_TEXT),
    blocks: blocks.slice(0, MAX_BLOCKS),
  };
}
