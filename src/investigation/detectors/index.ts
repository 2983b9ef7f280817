import { admissionRefused } from './admission-refused.ts';
import { admissionRule } from './admission-rule.ts';
import { sandboxAddressPool } from './sandbox-address-pool.ts';
import { nodeGroupShortfall } from './node-group-shortfall.ts';
import { syncSourceRevision } from './sync-source-revision.ts';
import { admissionMutation } from './admission-mutation.ts';
import { badEnv } from './bad-env.ts';
import { badImage } from './bad-image.ts';
import { badRollout } from './bad-rollout.ts';
import { badSecretValue } from './bad-secret-value.ts';
import { changedEnv } from './changed-env.ts';
import { changedServerOwner } from './changed-server-owner.ts';
import { configuredObject } from './configured-object.ts';
import { referencedObject } from './referenced-object.ts';
import { configUnknownHost } from './config-unknown-host.ts';
import { connectionLimit } from './connection-limit.ts';
import { cpuThrottling } from './cpu-throttling.ts';
import { crashLoop } from './crash-loop.ts';
import { credentialDrift } from './credential-drift.ts';
import { rotatedCredential } from './rotated-credential.ts';
import { crashloopBadConfig } from './crashloop-bad-config.ts';
import { dependencyDown } from './dependency-down.ts';
import { disruptionBudget } from './disruption-budget.ts';
import type { Detector } from './detector.ts';
import { dns } from './dns.ts';
import { dnsConfig } from './dns-config.ts';
import { externalName } from './external-name.ts';
import { externalNameRepointed } from './external-name-repointed.ts';
import { featureFlag } from './feature-flag.ts';
import { governingResource } from './governing-resource.ts';
import { attachedPolicy } from './attached-policy.ts';
import { hpaLimit } from './hpa-limit.ts';
import { identityBinding } from './identity-binding.ts';
import { ingressUpstream } from './ingress-upstream.ts';
import { initContainer } from './init-container.ts';
import { insufficientResources } from './insufficient-resources.ts';
import { jobFailure } from './job-failure.ts';
import { suspendedSchedule } from './suspended-schedule.ts';
import { calleeConfigChange } from './callee-config-change.ts';
import { limitRangeDefault } from './limit-range-default.ts';
import { limitRangeRefusal } from './limit-range-refusal.ts';
import { limitSetting } from './limit-setting.ts';
import { memoryLeak } from './memory-leak.ts';
import { meshEgress } from './mesh-egress.ts';
import { meshRouting } from './mesh-routing.ts';
import { missingReference } from './missing-reference.ts';
import { mountSource } from './mount-source.ts';
import { operatorEmptiedService } from './operator-emptied-service.ts';
import { loadBalancerPolicy } from './load-balancer-policy.ts';
import { networkPolicy } from './network-policy.ts';
import { nodeLabelSource } from './node-label-source.ts';
import { policyNearMiss } from './policy-near-miss.ts';
import { nodeCondition } from './node-condition.ts';
import { oomLimit } from './oom-limit.ts';
import { operatorResource } from './operator-resource.ts';
import { policyDenial } from './policy-denial.ts';
import { preemption } from './preemption.ts';
import { roomTaken } from './room-taken.ts';
import { outsideEviction } from './outside-eviction.ts';
import { probeFailure } from './probe-failure.ts';
import { pvcPending } from './pvc-pending.ts';
import { quotaExceeded } from './quota-exceeded.ts';
import { rbacForbidden } from './rbac-forbidden.ts';
import { podClassSetting } from './pod-class-setting.ts';
import { storageBackendLimit } from './storage-backend-limit.ts';
import { storageClassParameter } from './storage-class-parameter.ts';
import { awaitedReference } from './awaited-reference.ts';
import { resourceSetter } from './resource-setter.ts';
import { serviceAccountToken } from './service-account-token.ts';
import { routingBackend } from './routing-backend.ts';
import { schedulerAdmission } from './scheduler-admission.ts';
import { serviceSelector } from './service-selector.ts';
import { servicePort } from './service-port.ts';
import { unlistedPort } from './unlisted-port.ts';
import { scopedOut } from './scoped-out.ts';
import { stepTemplate } from './step-template.ts';
import { taint } from './taint.ts';
import { tlsCertificate } from './tls-certificate.ts';
import { hostClaim } from './host-claim.ts';

/**
 * Every failure mode the engine knows, keyed by detector id (as k8sgpt's analyzer map): the key is what findings,
 * failures and the audit trail name. Order matters only for ties, which ranking breaks by score first.
 */
export const DETECTORS = {
  'oom-limit': oomLimit,
  'limit-range-default': limitRangeDefault,
  'resource-setter': resourceSetter,
  'memory-leak': memoryLeak,
  'cpu-throttling': cpuThrottling,
  'crashloop-bad-config': crashloopBadConfig,
  'feature-flag': featureFlag,
  'crash-loop': crashLoop,
  'bad-image': badImage,
  'missing-reference': missingReference,
  'bad-secret-value': badSecretValue,
  'credential-drift': credentialDrift,
  'rotated-credential': rotatedCredential,
  'probe-failure': probeFailure,
  'service-selector': serviceSelector,
  'service-port': servicePort,
  'unlisted-port': unlistedPort,
  'routing-backend': routingBackend,
  'ingress-upstream': ingressUpstream,
  'mesh-routing': meshRouting,
  'mesh-egress': meshEgress,
  'network-policy': networkPolicy,
  'load-balancer-policy': loadBalancerPolicy,
  'policy-near-miss': policyNearMiss,
  dns: dns,
  'config-unknown-host': configUnknownHost,
  'dns-config': dnsConfig,
  'bad-env': badEnv,
  'changed-env': changedEnv,
  'callee-config-change': calleeConfigChange,
  'dependency-down': dependencyDown,
  'connection-limit': connectionLimit,
  'node-condition': nodeCondition,
  taint: taint,
  'insufficient-resources': insufficientResources,
  preemption: preemption,
  'room-taken': roomTaken,
  'outside-eviction': outsideEviction,
  'scheduler-admission': schedulerAdmission,
  'node-label-source': nodeLabelSource,
  'node-group-shortfall': nodeGroupShortfall,
  'step-template': stepTemplate,
  'scoped-out': scopedOut,
  'limit-setting': limitSetting,
  'storage-backend-limit': storageBackendLimit,
  'pvc-pending': pvcPending,
  'storage-class-parameter': storageClassParameter,
  'quota-exceeded': quotaExceeded,
  'limit-range-refusal': limitRangeRefusal,
  'hpa-limit': hpaLimit,
  'init-container': initContainer,
  'bad-rollout': badRollout,
  'sync-source-revision': syncSourceRevision,
  'job-failure': jobFailure,
  'suspended-schedule': suspendedSchedule,
  'rbac-forbidden': rbacForbidden,
  'service-account-token': serviceAccountToken,
  'identity-binding': identityBinding,
  'admission-refused': admissionRefused,
  'admission-rule': admissionRule,
  'sandbox-address-pool': sandboxAddressPool,
  'admission-mutation': admissionMutation,
  'policy-denial': policyDenial,
  'governing-resource': governingResource,
  'attached-policy': attachedPolicy,
  'operator-resource': operatorResource,
  'changed-server-owner': changedServerOwner,
  'configured-object': configuredObject,
  'mount-source': mountSource,
  'operator-emptied-service': operatorEmptiedService,
  'referenced-object': referencedObject,
  'awaited-reference': awaitedReference,
  'pod-class-setting': podClassSetting,
  'external-name': externalName,
  'external-name-repointed': externalNameRepointed,
  'tls-certificate': tlsCertificate,
  'host-claim': hostClaim,
  'disruption-budget': disruptionBudget,
} satisfies Record<string, Detector>;

export type DetectorId = keyof typeof DETECTORS;
/** The detectors an investigation runs: normally DETECTORS. */
export type DetectorRegistry = Readonly<Record<string, Detector>>;

export type { Detector };
