import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  awaitingCondition,
  typedReferences,
  unreadyConditions,
} from '../../src/investigation/evidence/awaited-references.ts';
import type { CustomObject } from '../../src/investigation/evidence/custom-object.ts';
import { buildGraph } from '../../src/investigation/evidence/graph.ts';
import { speaksOfLimit } from '../../src/investigation/evidence/limit-settings.ts';
import {
  memoryLimitDrift,
  resourceDrifts,
  targetingObjects,
} from '../../src/investigation/evidence/resource-setters.ts';
import { emptySnapshot } from '../../src/investigation/evidence/snapshot.ts';
import {
  classParameterFailures,
  parameterNamed,
  provisioningClass,
} from '../../src/investigation/evidence/storage-classes.ts';
import { classesNamed, quotedSetting } from '../../src/investigation/evidence/pod-classes.ts';

const object = (kind: string, name: string, spec: unknown, status?: unknown, namespace?: string): CustomObject =>
  ({
    apiVersion: 'example.io/v1',
    kind,
    metadata: { name, ...(namespace ? { namespace } : {}) },
    spec,
    ...(status ? { status } : {}),
  }) as CustomObject;

test('a typed reference is a …Ref key holding a kind and a name; a condition about it waits for it', () => {
  const pool = object(
    'Pool',
    'spot',
    { template: { spec: { machineClassRef: { group: 'example.io', kind: 'MachineClass', name: 'spot-class' } } } },
    {
      conditions: [
        { type: 'MachineClassReady', status: 'False', message: '' },
        { type: 'ValidationSucceeded', status: 'True' },
      ],
    },
  );
  const [ref] = typedReferences(pool.spec);
  assert.deepEqual(ref, { key: 'machineClassRef', kind: 'MachineClass', name: 'spot-class', group: 'example.io' });
  assert.equal(ref && awaitingCondition(pool, ref)?.type, 'MachineClassReady');
  // A name-only reference says no kind: not a typed reference.
  assert.deepEqual(typedReferences({ secretRef: { name: 'x' } }), []);
  // A condition naming neither the reference's kind nor its object is not a wait for it.
  const other = object('Pool', 'b', pool.spec, { conditions: [{ type: 'Ready', status: 'False', message: 'quota' }] });
  assert.equal(ref && awaitingCondition(other, ref), undefined);
  const named = object('Pool', 'c', pool.spec, {
    conditions: [{ type: 'Ready', status: 'False', message: 'class "spot-class" is not usable' }],
  });
  assert.equal(ref && awaitingCondition(named, ref)?.type, 'Ready');
  assert.deepEqual(
    unreadyConditions(object('X', 'x', {}, { conditions: [{ type: 'Degraded', status: 'False' }] })),
    [],
  );
});

test('a time limit named by its setting key speaks of a limit; a bare timeout does not', () => {
  assert.ok(speaksOfLimit('ERROR: query_wait_timeout (SQLSTATE 08P01)'));
  assert.ok(!speaksOfLimit('ERROR: request failed: timeout'));
  assert.ok(!speaksOfLimit('ERROR: java.net.SocketTimeoutException: Read timed out'));
});

test('a pod running with resources its template does not ask for drifts; an object targeting its workload is found', () => {
  const snapshot = emptySnapshot('2026-01-01T00:00:00Z');
  const container = (memory: string) => ({ name: 'app', image: 'i', resources: { limits: { memory } } });
  snapshot.statefulSets.push({
    metadata: { name: 'db', namespace: 'ns' },
    spec: { selector: {}, serviceName: 'db', template: { spec: { containers: [container('1Gi')] } } },
  } as never);
  snapshot.pods.push({
    metadata: {
      name: 'db-0',
      namespace: 'ns',
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'db', uid: 'u', controller: true }],
    },
    spec: { containers: [container('256Mi')] },
  } as never);
  snapshot.customObjects.push(
    object('Sizer', 'db', { targetRef: { kind: 'StatefulSet', name: 'db' } }, undefined, 'ns'),
    object('Sizer', 'other', { targetRef: { kind: 'Deployment', name: 'db' } }, undefined, 'ns'),
  );
  const graph = buildGraph(snapshot);
  const pod = snapshot.pods[0];
  assert.ok(pod);
  const drifts = resourceDrifts(graph, pod);
  assert.deepEqual(
    drifts.map((d) => [d.field, d.onPod, d.inTemplate]),
    [['limits.memory', '256Mi', '1Gi']],
  );
  assert.equal(memoryLimitDrift(graph, pod, 'app')?.onPod, '256Mi');
  assert.equal(memoryLimitDrift(graph, pod, 'sidecar'), undefined);
  assert.deepEqual(
    targetingObjects(snapshot, graph.workloadOf(pod)).map((o) => o.metadata?.name),
    ['db'],
  );
});

test('a provisioning error names a parameter of its class by its value or the id at its end, not by the class name', () => {
  const storageClass = {
    apiVersion: 'storage.k8s.io/v1',
    kind: 'StorageClass',
    metadata: { name: 'vault-policy' },
    parameters: { type: 'gp3', keyId: 'arn:cloud:kms:eu:1234:key/9f8e7d6c-5b4a', policy: 'vault-policy' },
  } as CustomObject;
  const failed = 'failed to provision volume with StorageClass "vault-policy": key 9f8e7d6c-5b4a is pending deletion';
  assert.equal(provisioningClass(failed), 'vault-policy');
  assert.deepEqual(parameterNamed(storageClass, failed), {
    key: 'keyId',
    value: 'arn:cloud:kms:eu:1234:key/9f8e7d6c-5b4a',
    named: '9f8e7d6c-5b4a',
  });
  // The class's own name, and short values (`gp3`), say nothing of its parameters.
  assert.equal(
    parameterNamed(
      storageClass,
      'failed to provision volume with StorageClass "vault-policy": gp3 access mode unsupported',
    ),
    undefined,
  );
});

test('a pod names classes by its …ClassName fields; a failure quoting a setting of the class names that setting', () => {
  const pod = { metadata: { name: 'p' }, spec: { runtimeClassName: 'gvisor', containers: [] } } as never;
  assert.deepEqual(classesNamed(pod), [{ kind: 'RuntimeClass', name: 'gvisor' }]);
  const runtimeClass = {
    apiVersion: 'node.k8s.io/v1',
    kind: 'RuntimeClass',
    metadata: { name: 'gvisor' },
    handler: 'runsc-kvm',
  } as CustomObject;
  assert.deepEqual(quotedSetting(runtimeClass, 'no runtime for "runsc-kvm" is configured'), {
    field: 'handler',
    value: 'runsc-kvm',
  });
  // Unquoted, or the class's own name: no setting of it is quoted.
  assert.equal(quotedSetting(runtimeClass, 'no runtime for runsc-kvm; class "gvisor"'), undefined);
});

test('a Pending claim fails on a class parameter only when the class it names was read and the error names its value', () => {
  const snapshot = emptySnapshot('2026-01-01T00:00:00Z');
  const message = 'failed to provision volume with StorageClass "encrypted": key 9f8e7d6c-5b4a is pending deletion';
  snapshot.persistentVolumeClaims.push({
    metadata: { name: 'data', namespace: 'ns' },
    spec: { storageClassName: 'encrypted' },
    status: { phase: 'Pending' },
  } as never);
  snapshot.events.push({
    metadata: { name: 'e', namespace: 'ns' },
    involvedObject: { kind: 'PersistentVolumeClaim', name: 'data', namespace: 'ns' },
    type: 'Warning',
    reason: 'ProvisioningFailed',
    message,
  } as never);
  const claim = snapshot.persistentVolumeClaims[0];
  assert.ok(claim);
  // The class not read: nothing to say which of its settings failed.
  assert.deepEqual(classParameterFailures(snapshot, claim), []);
  snapshot.customObjects.push({
    apiVersion: 'storage.k8s.io/v1',
    kind: 'StorageClass',
    // Made shortly before: the class is what changed.
    metadata: { name: 'encrypted', creationTimestamp: '2025-12-31T23:30:00Z' },
    parameters: { type: 'gp3', keyId: 'arn:cloud:kms:eu:1234:key/9f8e7d6c-5b4a' },
  } as CustomObject);
  assert.deepEqual(
    classParameterFailures(snapshot, claim).map((f) => [f.storageClass.metadata?.name, f.parameter.key]),
    [['encrypted', 'keyId']],
  );
  // Bound, it is no longer failing.
  claim.status = { phase: 'Bound' };
  assert.deepEqual(classParameterFailures(snapshot, claim), []);
});

/** A claim of the class `storageClass` in namespace ns, made at `made`. */
const classClaim = (storageClass: string, name: string, made: string, phase: string) =>
  ({
    metadata: { name, namespace: 'ns', creationTimestamp: made },
    spec: { storageClassName: storageClass },
    status: { phase },
  }) as never;

/** The provisioner's refusal of claim `name`, naming its class and a value of the class's parameters. */
const provisioningFailed = (name: string, storageClass: string, why: string) =>
  ({
    metadata: { name: `${name}-event`, namespace: 'ns' },
    involvedObject: { kind: 'PersistentVolumeClaim', name, namespace: 'ns' },
    type: 'Warning',
    reason: 'ProvisioningFailed',
    message: `failed to provision volume with StorageClass "${storageClass}": ${why}`,
  }) as never;

test('a class parameter is blamed only when the class, not the claim, is what changed', () => {
  const NOW = '2026-01-10T12:00:00Z';
  const CLASS_MADE = '2025-11-01T00:00:00Z';
  const snapshot = emptySnapshot(NOW);
  const claim = (name: string, made: string, phase: string) => classClaim('replicated', name, made, phase);
  const failing = (name: string) => provisioningFailed(name, 'replicated', 'pool pool-fast-ssd-02 refuses the request');
  snapshot.customObjects.push({
    apiVersion: 'storage.k8s.io/v1',
    kind: 'StorageClass',
    metadata: { name: 'replicated', creationTimestamp: CLASS_MADE },
    parameters: { pool: 'pool-fast-ssd-02' },
  } as CustomObject);
  // A new claim of an old class that nothing else fails on: unsure, the claim (the newer object) answers.
  snapshot.persistentVolumeClaims.push(claim('export', '2026-01-10T11:30:00Z', 'Pending'));
  snapshot.events.push(failing('export'));
  const [exportClaim] = snapshot.persistentVolumeClaims;
  assert.ok(exportClaim);
  assert.deepEqual(classParameterFailures(snapshot, exportClaim), []);
  // Another claim of it failing alike: the class.
  snapshot.persistentVolumeClaims.push(claim('backup', '2026-01-09T08:00:00Z', 'Pending'));
  snapshot.events.push(failing('backup'));
  assert.equal(classParameterFailures(snapshot, exportClaim).length, 1);
  // A claim of it bound since the class last changed proves the class provisions as it is: not the class.
  snapshot.persistentVolumeClaims.push(claim('ledger', '2025-12-01T00:00:00Z', 'Bound'));
  assert.deepEqual(classParameterFailures(snapshot, exportClaim), []);
});

test('a class whose time was not read is not the change for it: only another claim failing alike blames it', () => {
  const snapshot = emptySnapshot('2026-01-10T12:00:00Z');
  const claim = (name: string) => classClaim('tiered', name, '2026-01-10T11:30:00Z', 'Pending');
  const failing = (name: string) => provisioningFailed(name, 'tiered', 'tier tier-cold-07 is not offered in this zone');
  snapshot.customObjects.push({
    apiVersion: 'storage.k8s.io/v1',
    kind: 'StorageClass',
    metadata: { name: 'tiered' },
    parameters: { tier: 'tier-cold-07' },
  } as CustomObject);
  snapshot.persistentVolumeClaims.push(claim('scratch'));
  snapshot.events.push(failing('scratch'));
  const [scratch] = snapshot.persistentVolumeClaims;
  assert.ok(scratch);
  assert.deepEqual(classParameterFailures(snapshot, scratch), []);
  snapshot.persistentVolumeClaims.push(claim('spool'));
  snapshot.events.push(failing('spool'));
  assert.equal(classParameterFailures(snapshot, scratch).length, 1);
});
