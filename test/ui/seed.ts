import type { Harness } from '../web/harness.ts';
import { pagerDutyEvent } from '../web/harness.ts';

/**
 * What the bot leaves in the database after two incidents, written the way the bot writes it: the PagerDuty webhook
 * through the real intake, then the worker's and the executor's rows and audit events through the real audit log.
 *  - `fixed`: PagerDuty, answered (a memory limit too low), a plan approved and applied, resolved;
 *  - `noticed`: Alertmanager (cluster and namespace labels), answered, no plan proposed.
 */
const RAISE_MEMORY = {
  type: 'set-resources',
  kind: 'Deployment',
  namespace: 'payments',
  name: 'checkout',
  container: 'checkout',
  requests: {},
  limits: { memory: '256Mi' },
};

export async function seedIncidents(h: Harness): Promise<{ fixed: string; noticed: string }> {
  const { db } = h.database;
  const webhook = await h.postPagerDuty(
    pagerDutyEvent('incident.triggered', { id: 'Q1UIAUDIT', title: 'Checkout API error rate above 5%' }),
  );
  if (webhook.status !== 202) throw new Error(`the PagerDuty webhook was answered ${webhook.status}`);
  const fixed = await db.incident.findUniqueOrThrow({ where: { externalId: 'pagerduty:Q1UIAUDIT' } });
  await db.incident.update({
    where: { id: fixed.id },
    data: { slackChannel: 'CINCIDENTS', slackThreadTs: '1765000000.000100' },
  });
  const oom = {
    rootCause: { kind: 'Deployment', namespace: 'payments', name: 'checkout' },
    faultType: 'oom-limit',
    confidence: 0.92,
    summary: 'checkout is OOMKilled: its 128Mi memory limit is below what it uses at start-up',
    hypotheses: [
      {
        entity: { kind: 'Deployment', namespace: 'payments', name: 'checkout' },
        evidence: [
          {
            source: 'status',
            ref: { kind: 'Pod', namespace: 'payments', name: 'checkout-7d9f-abcde' },
            text: 'last state Terminated: OOMKilled (exit 137), 6 restarts',
          },
        ],
      },
    ],
    ruledOut: [
      {
        entity: { kind: 'Service', namespace: 'payments', name: 'cart' },
        reason: 'a victim: its errors follow checkout',
      },
    ],
    assumptions: [],
  };
  const on = (entry: Parameters<Harness['audit']['record']>[0]) => h.audit.record({ incidentId: fixed.id, ...entry });
  await on({ actor: 'worker', action: 'investigation.started', details: { attempt: 1 } });
  for (const [change, confidence] of [
    ['added', 0.6],
    ['strengthened', 0.92],
  ] as const)
    await on({
      actor: 'bot',
      action: 'investigation.hypothesis',
      target: 'Deployment/payments/checkout',
      details: { change, entity: oom.rootCause, faultType: 'oom-limit', confidence, summary: 'OOMKilled at start-up' },
    });
  await on({
    actor: 'bot',
    action: 'investigation.decided',
    target: 'Deployment/payments/checkout',
    justification: oom.summary,
    details: { faultType: 'oom-limit', confidence: 0.92, namespace: 'payments' },
  });
  await on({
    actor: 'worker',
    action: 'investigation.finished',
    details: { rootCause: oom.rootCause, faultType: 'oom-limit', confidence: 0.92, summary: oom.summary },
  });
  await db.investigation.create({
    data: {
      incidentId: fixed.id,
      jobId: `investigate-${fixed.id}`,
      status: 'done',
      result: oom,
      startedAt: fixed.createdAt,
      finishedAt: new Date(),
    },
  });
  const plan = await db.plan.create({
    data: {
      incidentId: fixed.id,
      status: 'succeeded',
      risk: 'low',
      summary: 'Raise the memory limit of Deployment payments/checkout to 256Mi',
      action: RAISE_MEMORY,
      spec: {
        action: RAISE_MEMORY,
        summary: 'Raise the memory limit of Deployment payments/checkout to 256Mi',
        risk: 'low',
        riskReason: 'one field of one Deployment, rolled out as usual',
        preconditions: [],
        changes: [],
        diff: '--- Deployment payments/checkout\n+++ proposed\n-          memory: 128Mi\n+          memory: 256Mi',
        verification: [],
        rollback: 'set the memory limit back to 128Mi',
      },
      requiredApprovals: 1,
      expiresAt: new Date(Date.now() + 30 * 60_000),
      decidedAt: new Date(),
      approvals: { create: { userId: 'U0APPROVER', decision: 'approve' } },
    },
  });
  await on({
    actor: 'bot',
    action: 'plan.proposed',
    target: `plan:${plan.id}`,
    justification: plan.summary,
    details: { risk: 'low', requiredApprovals: 1 },
  });
  await on({ actor: 'slack:U0APPROVER', action: 'plan.approval', target: `plan:${plan.id}` });
  await on({
    actor: 'bot',
    action: 'plan.approved',
    target: `plan:${plan.id}`,
    details: { approvers: ['U0APPROVER'] },
  });
  await on({ actor: 'executor', action: 'plan.execution.started', justification: plan.summary });
  await on({ actor: 'executor', action: 'plan.apply', target: 'Deployment/payments/checkout' });
  await on({ actor: 'executor', action: 'plan.verify.passed', justification: 'rollout complete, 3/3 pods ready' });
  await on({ actor: 'executor', action: 'plan.succeeded', justification: 'verified' });
  await db.incident.update({ where: { id: fixed.id }, data: { status: 'resolved', resolvedAt: new Date() } });
  await on({ actor: 'pagerduty', action: 'incident.status', details: { from: 'diagnosed', to: 'resolved' } });

  const noticed = await db.incident.create({
    data: {
      source: 'alertmanager',
      externalId: 'alertmanager:{}:{alertname="SearchLatencyHigh"}',
      title: 'Search p99 latency above 2s',
      status: 'diagnosed',
      cluster: 'prod-eu',
      alert: {
        source: 'alertmanager',
        title: 'Search p99 latency above 2s',
        labels: { alertname: 'SearchLatencyHigh', cluster: 'prod-eu', namespace: 'search' },
        annotations: {},
      },
    },
  });
  await db.investigation.create({
    data: {
      incidentId: noticed.id,
      jobId: `investigate-${noticed.id}`,
      status: 'done',
      result: {
        rootCause: { kind: 'ConfigMap', namespace: 'kube-system', name: 'coredns' },
        faultType: 'dns',
        confidence: 0.7,
        summary: 'lookups fail: the Corefile forwards to an address that does not answer',
        hypotheses: [],
        ruledOut: [],
        assumptions: [],
      },
      finishedAt: new Date(noticed.createdAt.getTime() + 95_000),
    },
  });
  await h.audit.record({ actor: 'alertmanager', action: 'incident.opened', incidentId: noticed.id });
  return { fixed: fixed.id, noticed: noticed.id };
}
