import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Detector } from '../../src/investigation/detectors/index.ts';
import { emptySnapshot } from '../../src/investigation/evidence/snapshot.ts';
import type { Focus } from '../../src/investigation/focus.ts';
import { RunningDiagnoses } from '../../src/investigation/running-diagnoses.ts';

// A made-up detector that only counts the evidence it is shown.
function counting(): { detector: Detector; seen: number[] } {
  const seen: number[] = [];
  return {
    seen,
    detector: {
      id: 'counting',
      faultTypes: ['other'],
      detect: (snapshot) => {
        seen.push(snapshot.pods.length);
        return [];
      },
    },
  };
}

const pod = (name: string) => ({ metadata: { name, namespace: 'orchard' }, spec: { containers: [] } });
const focus = (alertText = 'PickerSlow in orchard'): Focus => ({
  namespace: 'orchard',
  symptom: null,
  alertText,
  assumptions: [],
});

test('the same evidence is diagnosed once: a wave that read nothing new, the judgement right after it', () => {
  const { detector, seen } = counting();
  const diagnoses = new RunningDiagnoses({ counting: detector });
  const snapshot = emptySnapshot('2026-05-01T10:00:00Z');
  snapshot.pods.push(pod('picker-1'));
  const first = diagnoses.ofPartial(snapshot, focus(), 'unposted');
  // A new focus object saying the same is the same question.
  const again = diagnoses.of(snapshot, focus());
  assert.equal(again, first);
  assert.deepEqual(seen, [1]);
});

test('evidence read since, a list replaced, or another focus is diagnosed afresh', () => {
  const { detector, seen } = counting();
  const diagnoses = new RunningDiagnoses({ counting: detector });
  const snapshot = emptySnapshot('2026-05-01T10:00:00Z');
  diagnoses.of(snapshot, focus());
  snapshot.pods.push(pod('picker-1'));
  diagnoses.of(snapshot, focus());
  // The same length, another list: new evidence.
  snapshot.pods = [pod('picker-2')];
  diagnoses.of(snapshot, focus());
  diagnoses.of(snapshot, focus('PickerSlow in orchard, and the packer too'));
  // Another snapshot whose lists hold as many objects is other evidence.
  const other = emptySnapshot('2026-05-01T10:00:00Z');
  other.pods.push(pod('packer-1'));
  diagnoses.of(other, focus('PickerSlow in orchard, and the packer too'));
  assert.deepEqual(seen, [0, 1, 1, 1, 1]);
});
