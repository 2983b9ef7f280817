import type { KubeConfig } from '@kubernetes/client-node';
import type { InvestigationResult, ProgressListener } from '../investigation/model.ts';
import { PlanError } from '../remediation/changes.ts';
import { KubeObjects } from '../remediation/kube-objects.ts';
import { derivePlan } from '../remediation/plan.ts';
import { answerMessage } from '../slack/answer-blocks.ts';
import { blocksToText } from './block-text.ts';
import { renderPlan, renderPlanRefused, renderProgress } from './render-thread.ts';
import type { Write } from './write-line.ts';

/** Prints each progress event as it arrives, the way the thread's status reply updates. */
export function progressPrinter(write: Write): ProgressListener {
  return (progress) => {
    const line = renderProgress(progress);
    if (line !== null) write(line);
  };
}

/**
 * Prints the final answer — the Slack message the worker posts, as text — and, when the engine proposes a fix, the
 * plan derived from the live (read-only) cluster as the remediation module would post it for approval.
 */
export async function printConclusion(
  write: Write,
  result: InvestigationResult,
  kubeConfig: KubeConfig,
  now: Date,
): Promise<void> {
  write('');
  write(blocksToText(answerMessage(result).blocks));
  if (!result.remediation) return;
  write('');
  try {
    write(
      renderPlan(
        await derivePlan(result.remediation.action, result.remediation.summary, new KubeObjects(kubeConfig), now),
      ),
    );
  } catch (error) {
    if (!(error instanceof PlanError)) throw error;
    write(renderPlanRefused(result.remediation.summary, error.message));
  }
}
