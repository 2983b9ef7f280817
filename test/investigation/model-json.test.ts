import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
// The client's own deserializer, which the walk stands in for (not exported from the package's index).
import { ObjectSerializer } from '@kubernetes/client-node/dist/gen/models/ObjectSerializer.js';
import { modelJson } from '../../src/investigation/tools/model-json.ts';
import { MODEL_OF } from '../../src/investigation/tools/kinds.ts';
import { plainJson } from '../../src/investigation/tools/plain-json.ts';
import { loadScenario } from '../../src/simulation/scenario.ts';

/** The two steps the walk replaces: the client's model, then plain JSON of it. */
const twoSteps = (json: unknown, type: string) => plainJson(ObjectSerializer.deserialize(json, type, ''));

const same = (json: unknown, type: string) => {
  const expected = twoSteps(json, type);
  const actual = modelJson(json, type);
  // Key order too: the text of each is compared, not only the values.
  assert.equal(JSON.stringify(actual.object), JSON.stringify(expected.object));
  assert.equal(actual.bytes, expected.bytes);
};

const DIRS = [join(import.meta.dirname, '../fixtures/scenarios')];

describe('modelJson', () => {
  it('gives what the client model made plain gives, for every object of every scenario', async () => {
    let compared = 0;
    for (const dir of DIRS) {
      for (const file of readdirSync(dir).filter((name) => /\.(json|ya?ml)$/.test(name))) {
        const scenario = await loadScenario(join(dir, file));
        for (const object of scenario.cluster.objects as { kind?: string }[]) {
          const type = MODEL_OF[object.kind as keyof typeof MODEL_OF];
          if (!type) continue;
          same(object, type);
          compared++;
        }
      }
    }
    assert.ok(compared > 3_000, `${compared} objects compared`);
  });

  it('keeps null, drops unknown fields, renames reserved ones, makes times Dates would write', () => {
    const policy = {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'p', creationTimestamp: '2026-05-01T10:00:00Z', deletionTimestamp: 'not a time', extra: 1 },
      spec: { podSelector: {}, ingress: [{ from: [{ podSelector: { matchLabels: { a: 'b' } } }], ports: null }] },
      unknown: { x: [1, -0] },
    };
    same(policy, 'V1NetworkPolicy');
    same({ items: [null, { metadata: null }], metadata: { continue: 'x' } }, 'V1PodList');
    same({ spec: { limits: [{ type: 'Container', default: { cpu: '1' } }] } }, 'V1LimitRange');
    same({ data: { a: 'YQ==' }, stringData: { '"q"': '\u0001' } }, 'V1Secret');
    same({ involvedObject: { kind: 'Pod' }, eventTime: '2026-05-01T10:00:00.123456Z', count: 3 }, 'CoreV1Event');
    const plain = modelJson(policy, 'V1NetworkPolicy').object as {
      metadata: Record<string, unknown>;
      spec: { ingress: object[] };
      unknown?: unknown;
    };
    assert.equal(plain.metadata.creationTimestamp, '2026-05-01T10:00:00.000Z');
    assert.equal(plain.metadata.deletionTimestamp, null);
    assert.equal(plain.metadata.extra, undefined);
    assert.equal(plain.unknown, undefined);
    assert.ok('_from' in (plain.spec.ingress[0] as object));
  });
});
