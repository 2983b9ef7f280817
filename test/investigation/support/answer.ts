import { refKey } from '../../../src/investigation/model.ts';
import { replayScenarioFile } from './replay.ts';

/** A scenario file replayed through the simulated API server, its answer set beside what its ground truth expects. */
export async function answerOf(path: string) {
  const { scenario, result } = await replayScenarioFile(path);
  return {
    answer: result.rootCause ? refKey(result.rootCause) : 'none',
    faultType: result.faultType,
    expected: scenario.groundTruth.rootCause.map(refKey),
    expectedType: scenario.groundTruth.faultType,
    hypotheses: result.hypotheses,
    assumptions: result.assumptions,
  };
}
