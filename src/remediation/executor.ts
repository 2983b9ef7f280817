import type { webApi } from '@slack/bolt';
import type { AuditLog } from '../audit/audit-log.ts';
import type { Plan, PlanStatus, Prisma, PrismaClient } from '../generated/prisma/client.ts';
import { ABSENT, restoreOps, valueAt } from './json-patch.ts';
import { describeRef, type KubeObject, type KubeObjects, type ObjectRef, type WriteOptions } from './kube-objects.ts';
import { staleReason } from './plan.ts';
import type { Change, Check } from './plan-spec.ts';
import { findPlan, planSpec, transition } from './plan-store.ts';
import { refreshPlanMessage, replyInThread } from './plan-thread.ts';
import { REDACTED } from './redact.ts';
import { type VerifyOutcome, verify } from './verification.ts';

export interface ExecutorDeps {
  db: PrismaClient;
  audit: AuditLog;
  slack: webApi.WebClient;
  /** The executor's own credentials, separate from the read-only investigator's. */
  kube: KubeObjects;
  verifyTimeoutMs: number;
  pollIntervalMs?: number;
  /** Proposes the same action again, derived from the cluster as it is now, after a plan went stale. */
  repropose?: (plan: Plan) => Promise<void>;
}

interface SnapshotEntry {
  ref: ObjectRef;
  object: KubeObject | null;
}

const ACTOR = 'executor';

const errorText = (error: unknown): string => {
  const body = (error as { body?: unknown }).body;
  if (typeof body === 'string') {
    try {
      return (JSON.parse(body) as { message?: string }).message ?? body;
    } catch {
      return body;
    }
  }
  return error instanceof Error ? error.message : String(error);
};

async function applyChange(kube: KubeObjects, change: Change, options: WriteOptions): Promise<KubeObject | null> {
  switch (change.type) {
    case 'patch':
      return kube.patch(change.ref, change.ops, options);
    case 'delete':
      await kube.remove(change.ref, options);
      return null;
    case 'create':
      return kube.create(change.ref, change.manifest, options);
  }
}

// Secret values never reach the audit trail or Slack: only that they changed.
function fieldsOf(change: Change, object: KubeObject | null): Record<string, unknown> {
  if (change.type !== 'patch') return { exists: object !== null };
  const fields: Record<string, unknown> = {};
  for (const { path } of change.ops) {
    const value = valueAt(object, path);
    fields[path] = value === ABSENT ? null : change.ref.kind === 'Secret' ? REDACTED : value;
  }
  return fields;
}

/** A deleted object re-created from its snapshot: identity and spec, not server-owned fields. */
function recreatable(object: KubeObject): KubeObject {
  const { metadata, status: _status, ...rest } = object;
  return {
    ...rest,
    metadata: {
      name: metadata?.name,
      namespace: metadata?.namespace,
      ...(metadata?.labels ? { labels: metadata.labels } : {}),
      ...(metadata?.annotations ? { annotations: metadata.annotations } : {}),
    },
  };
}

/** What must be true once a change is undone: its paths back at their snapshot values, or the object back. */
function rollbackChecks(change: Change, before: KubeObject | null): Check[] {
  switch (change.type) {
    case 'patch':
      return [...new Set(change.ops.map((op) => op.path))].map((path) => {
        const value = valueAt(before, path);
        return {
          type: 'field',
          ref: change.ref,
          condition: value === ABSENT ? { path, absent: true } : { path, value },
        };
      });
    case 'delete':
      return change.ref.kind === 'Pod' ? [] : [{ type: 'present', ref: change.ref }];
    case 'create':
      return [{ type: 'absent', ref: change.ref }];
  }
}

class Execution {
  constructor(
    private readonly deps: ExecutorDeps,
    private readonly plan: Plan,
  ) {}

  private get spec() {
    return planSpec(this.plan);
  }

  private get verifyOptions() {
    return { timeoutMs: this.deps.verifyTimeoutMs, intervalMs: this.deps.pollIntervalMs ?? 1000 };
  }

  private audit(action: string, justification: string, details: Record<string, unknown> = {}, target?: string) {
    return this.deps.audit.record({
      actor: ACTOR,
      action,
      target: target ?? `plan:${this.plan.id}`,
      incidentId: this.plan.incidentId,
      justification,
      details: { planId: this.plan.id, ...details },
    });
  }

  async finish(status: PlanStatus, reason: string, thread: string) {
    await transition(this.deps.db, this.plan.id, 'executing', status, {
      statusReason: reason,
      finishedAt: new Date(),
    });
    await this.audit(`plan.${status}`, reason);
    await this.notify(() => replyInThread(this.deps.slack, this.plan, thread));
    await this.notify(() => refreshPlanMessage(this.deps.db, this.deps.slack, this.plan.id));
    return status;
  }

  /** Slack being down must not turn an applied change into a failed one: telling people is best effort. */
  private async notify(send: () => Promise<void>): Promise<void> {
    try {
      await send();
    } catch (error) {
      await this.audit('plan.notify.failed', errorText(error));
    }
  }

  async run(): Promise<PlanStatus> {
    const { kube } = this.deps;
    await this.audit('plan.execution.started', this.spec.summary);
    await this.notify(() => refreshPlanMessage(this.deps.db, this.deps.slack, this.plan.id));

    const stale: string[] = [];
    for (const precondition of this.spec.preconditions) {
      const reason = staleReason(precondition, await kube.read(precondition.ref));
      if (reason) stale.push(reason);
    }
    if (stale.length > 0) {
      const reason = `Stale: ${stale.join('; ')}.`;
      const status = await this.finish(
        'stale',
        reason,
        `:warning: Plan not executed — the cluster changed since it was proposed. ${reason} ${
          this.deps.repropose
            ? 'A fresh plan for the cluster as it is now follows.'
            : 'Run the diagnosis again for a fresh plan.'
        }`,
      );
      await this.deps.repropose?.(this.plan);
      return status;
    }

    for (const change of this.spec.changes) {
      try {
        await applyChange(kube, change, { dryRun: true });
      } catch (error) {
        const reason = `Server-side dry run refused ${describeRef(change.ref)}: ${errorText(error)}`;
        return this.finish('failed', reason, `:x: Plan not executed. ${reason}`);
      }
    }
    await this.audit('plan.dry_run', 'server-side dry run (dryRun=All) accepted every change', {
      changes: this.spec.changes.map((change) => ({ type: change.type, target: describeRef(change.ref) })),
    });

    const snapshot: SnapshotEntry[] = [];
    for (const change of this.spec.changes) snapshot.push({ ref: change.ref, object: await kube.read(change.ref) });
    await this.deps.db.plan.update({
      where: { id: this.plan.id },
      data: { snapshot: snapshot as unknown as Prisma.InputJsonValue },
    });
    await this.audit('plan.snapshot', 'last-known-good copies taken before applying', {
      objects: snapshot.map((entry) => ({
        target: describeRef(entry.ref),
        resourceVersion: entry.object?.metadata?.resourceVersion ?? null,
      })),
    });

    const applied: { change: Change; before: KubeObject | null }[] = [];
    let applyError: string | null = null;
    for (const [index, change] of this.spec.changes.entries()) {
      const before = snapshot[index]?.object ?? null;
      try {
        const after = await applyChange(kube, change, {});
        applied.push({ change, before });
        await this.audit(
          'plan.apply',
          this.spec.summary,
          { change: change.type, before: fieldsOf(change, before), after: fieldsOf(change, after) },
          describeRef(change.ref),
        );
      } catch (error) {
        applyError = `Applying ${describeRef(change.ref)} failed: ${errorText(error)}`;
        await this.audit('plan.apply.failed', applyError, {}, describeRef(change.ref));
        break;
      }
    }

    const outcome: VerifyOutcome | null = applyError
      ? null
      : await verify(this.spec.verification, kube, this.verifyOptions);
    if (outcome) {
      await this.audit(outcome.ok ? 'plan.verify.passed' : 'plan.verify.failed', outcomeText(outcome), {
        results: outcome.results,
      });
    }
    if (outcome?.ok) {
      return this.finish(
        'succeeded',
        `Verified: ${outcomeText(outcome)}`,
        `:white_check_mark: Applied and verified: ${this.spec.summary}\n${bullets(outcome)}`,
      );
    }

    const why = applyError ?? `Verification did not pass within ${Math.round(this.deps.verifyTimeoutMs / 1000)} s`;
    const rollback = await this.rollBack(applied);
    const detail = outcome ? `\n${bullets(outcome)}` : '';
    if (rollback.ok) {
      return this.finish(
        'rolled_back',
        `${why}; rolled back from the snapshot and the rollback was verified.`,
        `:leftwards_arrow_with_hook: ${why}. Rolled back to the snapshot taken before applying; rollback verified.${detail}\n${bullets(rollback)}`,
      );
    }
    return this.finish(
      'failed',
      `${why}; the rollback did NOT verify — needs a human.`,
      `:rotating_light: ${why}. Rollback attempted but NOT verified — please check by hand.${detail}\n${bullets(rollback)}`,
    );
  }

  private async rollBack(applied: { change: Change; before: KubeObject | null }[]): Promise<VerifyOutcome> {
    const { kube } = this.deps;
    const checks: Check[] = [];
    for (const { change, before } of [...applied].reverse()) {
      try {
        if (change.type === 'patch') {
          const current = await kube.read(change.ref);
          const ops = restoreOps(change.ops, before, current);
          const restored = ops.length > 0 ? await kube.patch(change.ref, ops) : current;
          await this.audit(
            'plan.rollback',
            'restore from snapshot',
            { before: fieldsOf(change, current), after: fieldsOf(change, restored) },
            describeRef(change.ref),
          );
        } else if (change.type === 'delete' && change.ref.kind !== 'Pod' && before) {
          await kube.create(change.ref, recreatable(before));
          await this.audit('plan.rollback', 're-created from snapshot', {}, describeRef(change.ref));
        } else if (change.type === 'create') {
          await kube.remove(change.ref);
          await this.audit('plan.rollback', 'deleted the created object', {}, describeRef(change.ref));
        }
      } catch (error) {
        await this.audit('plan.rollback.failed', errorText(error), {}, describeRef(change.ref));
      }
      checks.push(...rollbackChecks(change, before));
    }
    const outcome = await verify(checks, kube, this.verifyOptions);
    await this.audit(outcome.ok ? 'plan.rollback.verified' : 'plan.rollback.unverified', outcomeText(outcome), {
      results: outcome.results,
    });
    return outcome;
  }
}

const outcomeText = (outcome: VerifyOutcome): string => outcome.results.map((result) => result.detail).join('; ');
const bullets = (outcome: VerifyOutcome): string =>
  outcome.results.map((result) => `${result.ok ? '•' : '✗'} ${result.detail}`).join('\n');

/**
 * Runs an approved plan at most once: only the caller that moves it from `approved` to `executing`
 * goes on. Returns the final status, or null when another caller had already taken it.
 */
export async function executePlan(deps: ExecutorDeps, planId: string): Promise<PlanStatus | null> {
  if (!(await transition(deps.db, planId, 'approved', 'executing', { startedAt: new Date() }))) return null;
  const plan = await findPlan(deps.db, planId);
  if (!plan) return null;
  const execution = new Execution(deps, plan);
  try {
    return await execution.run();
  } catch (error) {
    const reason = `Execution error: ${errorText(error)}`;
    return execution.finish('failed', reason, `:x: ${reason}`);
  }
}
