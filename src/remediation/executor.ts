import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { webApi } from '@slack/bolt';
import type { AuditLog } from '../audit/audit-log.ts';
import type { AuditAction } from '../audit/actions.ts';
import type { Plan, PlanStatus, PrismaClient } from '../generated/prisma/client.ts';
import { ABSENT, escapePointerToken, type JsonPatchOp, restoreOps, valueAt } from './json-patch.ts';
import { type KubeObject, type KubeObjects, outcomeUnknown, type WriteOptions } from './kube-objects.ts';
import { entityLabel } from '../investigation/model.ts';
import { staleReason } from './plan.ts';
import { type Change, type Check, type SnapshotEntry, SnapshotSchema } from './plan-spec.ts';
import { asJsonColumn, parseStored } from '../store/stored-json.ts';
import { VisibleState } from '../slack/visible-state.ts';
import { findPlan, planSpec } from './plan-store.ts';
import { refreshPlanMessage } from './plan-thread.ts';
import { REDACTED } from './redact.ts';
import { type VerifyOutcome, verify } from './verification.ts';
import { errorMessage } from '../observability/error-message.ts';

export interface ExecutorDeps {
  db: PrismaClient;
  audit: AuditLog;
  slack: webApi.WebClient;
  /** The executor's own credentials, separate from the read-only investigator's (the zero-config single cluster's). */
  kube: KubeObjects;
  /** Each configured cluster's executor credentials, by name (CLUSTERS_FILE): a plan changes its own cluster only. */
  clusters?: ReadonlyMap<string, KubeObjects>;
  verifyTimeoutMs: number;
  pollIntervalMs?: number;
  /** Proposes the same action again, derived from the cluster as it is now, after a plan went stale. */
  repropose?: (plan: Plan) => Promise<void>;
  /** How long an execution's lease lasts unrenewed; a plan whose lease lapsed lost its executor (default 30 s). */
  leaseMs?: number;
  /** This executor, as written in the leases it holds (default host:pid:random). */
  executorId?: string;
}

const DEFAULT_LEASE_MS = 30_000;
const defaultExecutorId = `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
const leaseOf = (deps: ExecutorDeps) => deps.leaseMs ?? DEFAULT_LEASE_MS;
const ownerOf = (deps: ExecutorDeps) => deps.executorId ?? defaultExecutorId;

// Plans this process is working on: a renewal that came late (a busy event loop) must not make it take over itself.
const working = new Set<string>();

/** Renews the plan's lease while this executor works on it; returns the function that stops renewing. */
function holdLease(deps: ExecutorDeps, planId: string): () => void {
  working.add(planId);
  const renew = () =>
    deps.db.plan
      .updateMany({
        where: { id: planId, status: 'executing', leaseOwner: ownerOf(deps) },
        data: { leaseExpiresAt: new Date(Date.now() + leaseOf(deps)) },
      })
      .catch(() => undefined);
  const timer = setInterval(renew, Math.max(100, leaseOf(deps) / 3));
  return () => {
    clearInterval(timer);
    working.delete(planId);
  };
}

const ACTOR = 'executor';

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

// Written by the Deployment controller itself (the revision a template change gets): never the executor's to restore.
const CONTROLLER_ANNOTATION = /^deployment\.kubernetes\.io\//;

/**
 * The paths an op's rollback is checked on: its own, except a whole annotations map, checked key by key without the
 * controller's keys (restoring a template makes the controller stamp a new revision, whatever the snapshot says).
 */
function ownPaths(op: JsonPatchOp, before: KubeObject | null): string[] {
  if (!op.path.endsWith('/metadata/annotations')) return [op.path];
  const keysOf = (value: unknown) => (value !== null && typeof value === 'object' ? Object.keys(value) : []);
  const keys = new Set([...keysOf(valueAt(before, op.path)), ...keysOf('value' in op ? op.value : undefined)]);
  return [...keys]
    .filter((key) => !CONTROLLER_ANNOTATION.test(key))
    .map((key) => `${op.path}/${escapePointerToken(key)}`);
}

/** What must be true once a change is undone: its paths back at their snapshot values, or the object back. */
function rollbackChecks(change: Change, before: KubeObject | null): Check[] {
  switch (change.type) {
    case 'patch':
      return [...new Set(change.ops.flatMap((op) => ownPaths(op, before)))].map((path) => {
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

/** A change as applied, with the object as it was before (null: it did not exist). */
interface Applied {
  change: Change;
  before: KubeObject | null;
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

  private audit(action: AuditAction, justification: string, details: Record<string, unknown> = {}, target?: string) {
    return this.deps.audit.record({
      actor: ACTOR,
      action,
      target: target ?? `plan:${this.plan.id}`,
      incidentId: this.plan.incidentId,
      justification,
      details: { planId: this.plan.id, ...(this.plan.cluster ? { cluster: this.plan.cluster } : {}), ...details },
    });
  }

  /** The plan's last move, its audit event, the thread reply and the plan message, together (VisibleState). */
  async finish(status: PlanStatus, reason: string, thread: string) {
    await new VisibleState(this.deps).movePlan(
      this.plan,
      'executing',
      status,
      { statusReason: reason, finishedAt: new Date(), leaseOwner: null, leaseExpiresAt: null },
      {
        actor: ACTOR,
        action: `plan.${status}`,
        justification: reason,
        details: { planId: this.plan.id, ...(this.plan.cluster ? { cluster: this.plan.cluster } : {}) },
      },
      { reply: thread, refresh: () => refreshPlanMessage(this.deps, this.plan.id) },
    );
    return status;
  }

  /**
   * Runs the plan in phases, each recorded before the next: preconditions still hold, the server accepts every
   * change in a dry run, last-known-good copies, the changes, then verification (or rollback from the copies).
   */
  async run(): Promise<PlanStatus> {
    const ended = (await this.checkPreconditions()) ?? (await this.dryRun());
    if (ended) return ended;
    const snapshot = await this.snapshot();
    const { applied, applyError } = await this.apply(snapshot);
    return this.verifyOrRollBack(applied, applyError);
  }

  /** The plan ends `stale` (and is proposed again when it can be) when the cluster changed since it was proposed. */
  private async checkPreconditions(): Promise<PlanStatus | null> {
    const stale: string[] = [];
    for (const precondition of this.spec.preconditions) {
      const reason = staleReason(precondition, await this.deps.kube.read(precondition.ref));
      if (reason) stale.push(reason);
    }
    if (stale.length === 0) return null;
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

  /** Server-side dry run (dryRun=All) of every change; the first refusal ends the plan `failed`, nothing applied. */
  private async dryRun(): Promise<PlanStatus | null> {
    for (const change of this.spec.changes) {
      try {
        await applyChange(this.deps.kube, change, { dryRun: true });
      } catch (error) {
        const reason = `Server-side dry run refused ${entityLabel(change.ref)}: ${errorMessage(error)}`;
        return this.finish('failed', reason, `:x: Plan not executed. ${reason}`);
      }
    }
    await this.audit('plan.dry_run', 'server-side dry run (dryRun=All) accepted every change', {
      changes: this.spec.changes.map((change) => ({ type: change.type, target: entityLabel(change.ref) })),
    });
    return null;
  }

  /** Last-known-good copies, saved on the plan before the first change (recovery relies on that order). */
  private async snapshot(): Promise<SnapshotEntry[]> {
    const snapshot: SnapshotEntry[] = [];
    for (const change of this.spec.changes) {
      snapshot.push({ ref: change.ref, object: await this.deps.kube.read(change.ref) });
    }
    await this.deps.db.plan.update({
      where: { id: this.plan.id },
      data: { snapshot: asJsonColumn(snapshot) },
    });
    await this.audit('plan.snapshot', 'last-known-good copies taken before applying', {
      objects: snapshot.map((entry) => ({
        target: entityLabel(entry.ref),
        resourceVersion: entry.object?.metadata?.resourceVersion ?? null,
      })),
    });
    return snapshot;
  }

  /** Applies the changes in order; the first that fails stops the rest (what was applied is rolled back). */
  private async apply(snapshot: SnapshotEntry[]): Promise<{ applied: Applied[]; applyError: string | null }> {
    const applied: Applied[] = [];
    for (const [index, change] of this.spec.changes.entries()) {
      const before = snapshot[index]?.object ?? null;
      try {
        const after = await applyChange(this.deps.kube, change, {});
        applied.push({ change, before });
        await this.audit(
          'plan.apply',
          this.spec.summary,
          { change: change.type, before: fieldsOf(change, before), after: fieldsOf(change, after) },
          entityLabel(change.ref),
        );
      } catch (error) {
        // Without an answer the server may have applied it all the same: it is rolled back with the rest.
        const unknown = outcomeUnknown(error);
        if (unknown) applied.push({ change, before });
        const applyError = `Applying ${entityLabel(change.ref)} failed: ${errorMessage(error)}${unknown ? ' (no answer from the API server, so it may have been applied)' : ''}`;
        await this.audit('plan.apply.failed', applyError, {}, entityLabel(change.ref));
        return { applied, applyError };
      }
    }
    return { applied, applyError: null };
  }

  /** Verified → succeeded; an apply error or a verification that did not pass → rolled back from the snapshot. */
  private async verifyOrRollBack(applied: Applied[], applyError: string | null): Promise<PlanStatus> {
    const outcome: VerifyOutcome | null = applyError
      ? null
      : await verify(this.spec.verification, this.deps.kube, this.verifyOptions);
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
    return this.rollBackAndFinish(why, outcome, applied);
  }

  /**
   * Takes over a plan whose executor stopped mid-run (its lease lapsed). Without a snapshot nothing was applied
   * (the snapshot is saved before the first change), so the plan runs from the start, preconditions re-checked.
   * With one, the objects are read back and recorded, then the verification decides: passed → succeeded, otherwise
   * every change is rolled back from the snapshot.
   */
  async recover(): Promise<PlanStatus> {
    const snapshot = parseStored(SnapshotSchema.nullable(), this.plan.snapshot, `plan ${this.plan.id}: its snapshot`);
    if (!snapshot) {
      await this.audit(
        'plan.recovery',
        'nothing was applied before the executor stopped; running the plan from the start',
      );
      return this.run();
    }
    const { kube } = this.deps;
    const objects: Record<string, unknown>[] = [];
    for (const change of this.spec.changes) {
      const now = await kube.read(change.ref);
      objects.push({ target: entityLabel(change.ref), exists: now !== null, fields: fieldsOf(change, now) });
    }
    await this.audit('plan.recovery.state', 'state read back after the executor stopped mid-run', { objects });
    const outcome = await verify(this.spec.verification, kube, this.verifyOptions);
    await this.audit(outcome.ok ? 'plan.verify.passed' : 'plan.verify.failed', outcomeText(outcome), {
      results: outcome.results,
    });
    if (outcome.ok) {
      return this.finish(
        'succeeded',
        `Verified after the executor stopped mid-run: ${outcomeText(outcome)}`,
        `:white_check_mark: The change is in place and verified: ${this.spec.summary}\n${bullets(outcome)}`,
      );
    }
    const applied = this.spec.changes.map((change, index) => ({ change, before: snapshot[index]?.object ?? null }));
    return this.rollBackAndFinish('The executor stopped mid-run and the change did not verify', outcome, applied);
  }

  private async rollBackAndFinish(why: string, outcome: VerifyOutcome | null, applied: Applied[]): Promise<PlanStatus> {
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

  private async rollBack(applied: Applied[]): Promise<VerifyOutcome> {
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
            entityLabel(change.ref),
          );
        } else if (change.type === 'delete' && change.ref.kind !== 'Pod' && before) {
          // Read first: a delete that had no answer may not have happened.
          if (!(await kube.read(change.ref))) {
            await kube.create(change.ref, recreatable(before));
            await this.audit('plan.rollback', 're-created from snapshot', {}, entityLabel(change.ref));
          }
        } else if (change.type === 'create') {
          // Likewise a create that had no answer.
          if (await kube.read(change.ref)) {
            await kube.remove(change.ref);
            await this.audit('plan.rollback', 'deleted the created object', {}, entityLabel(change.ref));
          }
        }
      } catch (error) {
        await this.audit('plan.rollback.failed', errorMessage(error), {}, entityLabel(change.ref));
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
 * Runs an approved plan at most once: only the caller that moves it from `approved` to `executing` (taking its
 * lease) goes on, renewing the lease while it runs. Returns the final status, or null when another caller had
 * already taken it.
 */
export async function executePlan(deps: ExecutorDeps, planId: string): Promise<PlanStatus | null> {
  const approved = await findPlan(deps.db, planId);
  if (!approved) return null;
  const started = await new VisibleState(deps).movePlan(
    approved,
    'approved',
    'executing',
    { startedAt: new Date(), leaseOwner: ownerOf(deps), leaseExpiresAt: new Date(Date.now() + leaseOf(deps)) },
    {
      actor: ACTOR,
      action: 'plan.execution.started',
      justification: planSpec(approved).summary,
      details: { planId, ...(approved.cluster ? { cluster: approved.cluster } : {}) },
    },
    { refresh: () => refreshPlanMessage(deps, planId) },
  );
  if (!started) return null;
  return runLeased(deps, planId, (execution) => execution.run());
}

async function runLeased(
  deps: ExecutorDeps,
  planId: string,
  work: (execution: Execution) => Promise<PlanStatus>,
): Promise<PlanStatus | null> {
  const release = holdLease(deps, planId);
  try {
    const plan = await findPlan(deps.db, planId);
    if (!plan) return null;
    const kube = plan.cluster === null ? deps.kube : deps.clusters?.get(plan.cluster);
    const execution = new Execution({ ...deps, kube: kube ?? deps.kube }, plan);
    if (!kube) {
      // Never another cluster's credentials: a plan for a cluster this executor has none for fails, nothing applied.
      const reason = `No executor credentials for cluster ${plan.cluster} here (CLUSTERS_FILE names ${[...(deps.clusters?.keys() ?? [])].join(', ') || 'none'}); nothing was changed`;
      return execution.finish('failed', reason, `:x: ${reason}`);
    }
    try {
      return await work(execution);
    } catch (error) {
      const reason = `Execution error: ${errorMessage(error)}`;
      return execution.finish('failed', reason, `:x: ${reason}`);
    }
  } finally {
    release();
  }
}

/**
 * Takes over every executing plan whose lease lapsed (its executor died: killed, OOM, node lost): takes the lease
 * by compare-and-set, so one executor recovers each, tells the thread, reads the state back and verifies or rolls
 * back (Execution.recover). Run it more often than the lease lasts: a dead executor's plan is picked up within
 * lease + interval.
 */
export async function recoverAbandonedPlans(deps: ExecutorDeps, now = new Date()): Promise<void> {
  const lapsed = await deps.db.plan.findMany({
    where: {
      status: 'executing',
      OR: [
        { leaseExpiresAt: { lt: now } },
        // Started before leases existed.
        { leaseExpiresAt: null, startedAt: { lt: new Date(now.getTime() - leaseOf(deps)) } },
      ],
    },
  });
  for (const plan of lapsed) {
    if (working.has(plan.id)) continue;
    const { count } = await deps.db.plan.updateMany({
      where: { id: plan.id, status: 'executing', leaseOwner: plan.leaseOwner, leaseExpiresAt: plan.leaseExpiresAt },
      data: { leaseOwner: ownerOf(deps), leaseExpiresAt: new Date(now.getTime() + leaseOf(deps)) },
    });
    if (count !== 1) continue;
    const lapsedAt = plan.leaseExpiresAt?.toISOString() ?? 'unknown';
    const text = `:recycle: The executor running this plan stopped (its lease lapsed at ${lapsedAt}). Another executor took it over: it reads the cluster back, then verifies the change or rolls it back.`;
    await deps.audit.record({
      actor: ACTOR,
      action: 'plan.execution.recovering',
      target: `plan:${plan.id}`,
      incidentId: plan.incidentId,
      justification: text,
      details: { planId: plan.id, previousOwner: plan.leaseOwner, leaseExpiredAt: lapsedAt },
    });
    if (plan.slackChannel) {
      const place = { incidentId: plan.incidentId, channel: plan.slackChannel, threadTs: plan.slackThreadTs };
      await new VisibleState(deps)
        .post(place, `plan:${plan.id}:recovering:${lapsedAt}`, { text }, 'plan.recovering')
        .catch(() => undefined);
    }
    await runLeased(deps, plan.id, (execution) => execution.recover());
  }
}
