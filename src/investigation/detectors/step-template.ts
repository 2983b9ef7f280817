import { changeEvidence } from '../evidence/config-change.ts';
import type { CustomObject } from '../evidence/custom-object.ts';
import { eventEvidence, eventTime } from '../evidence/events.ts';
import { refOf } from '../evidence/graph.ts';
import { lastChange, toMs } from '../evidence/time.ts';
import { definesStep, type QuotedStep, quotedSteps } from '../evidence/warned-templates.ts';
import { type Finding, uniqueRefs } from '../model.ts';
import { type Detector, finding } from './detector.ts';

/** How sure a finding is (the scale: detectors/detector.ts). */
const STRENGTH = {
  /** It defines the step its controller says errored, and it changed shortly before the step first errored. */
  definesErroredChanged: 0.86,
  /** It defines the step that errored, unchanged: what it queries may have changed under it (a metric renamed). */
  definesErrored: 0.78,
} as const;

/** A template changed longer than this before the step errored stood through earlier runs. */
const NEAR = 3 * 24 * 60 * 60 * 1000;

/**
 * A controller warns that a step it quotes by name errored — could not be evaluated, as opposed to judging the new
 * version bad — and a template of its API group defines a step of that name (evidence/warned-templates.ts): the step's
 * definition errs (a query for a series that does not exist, an address that does not answer), so every run made from
 * it errors, and what runs it (a progressive rollout aborted, a pipeline stopped) is a victim. The catalogue has no
 * type for it: other.
 */
export const stepTemplate: Detector = {
  id: 'step-template',
  faultTypes: ['other'],
  detect(snapshot) {
    const steps = quotedSteps(snapshot.events).filter((step) => step.errored);
    if (steps.length === 0) return [];
    const findings: Finding[] = [];
    for (const template of snapshot.customObjects.filter((o) => /Template$/.test(o.kind))) {
      const group = template.apiVersion.split('/')[0];
      const namespace = template.metadata?.namespace;
      const defined = steps.filter(
        (step) =>
          step.group === group &&
          (!namespace || step.event.involvedObject?.namespace === namespace) &&
          step.quoted.some((name) => definesStep(template, name)),
      );
      if (defined.length > 0) findings.push(erring(template, defined));
    }
    return findings;
  },
};

function erring(template: CustomObject, steps: QuotedStep[]): Finding {
  const entity = refOf(template.kind, template.metadata);
  const first = Math.min(
    ...steps.map((s) => toMs(s.event.firstTimestamp ?? eventTime(s.event)) ?? Number.POSITIVE_INFINITY),
  );
  const changedAt = lastChange(template.metadata);
  const at = toMs(changedAt);
  const recent = at !== undefined && at <= first && first - at <= NEAR;
  const runners = uniqueRefs(
    steps.flatMap(({ event }) => {
      const about = event.involvedObject;
      return about?.kind && about.name ? [refOf(about.kind, { name: about.name, namespace: about.namespace })] : [];
    }),
  );
  const step = steps[0]?.quoted.find((name) => definesStep(template, name)) ?? '';
  return finding(stepTemplate, {
    entity,
    affects: runners,
    strength: recent ? STRENGTH.definesErroredChanged : STRENGTH.definesErrored,
    summary: `${template.kind} ${entity.name} defines step ${step}, which ${runners.map((r) => `${r.kind} ${r.name}`).join(', ')} report${runners.length > 1 ? '' : 's'} errored (could not be evaluated or run, as opposed to failing its check)${recent ? `; it changed at ${changedAt}, before the step first errored` : ''}: its definition (query, address, arguments) is what fails, not what runs it. Fix the step in the template`,
    evidence: [
      ...(recent && changedAt ? [changeEvidence(entity, changedAt, 'last changed')] : []),
      ...steps.slice(0, 3).map(({ event }) => eventEvidence(event)),
    ],
    ...(recent && changedAt ? { changedAt } : {}),
  });
}
