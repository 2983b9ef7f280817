import { admissionRefused } from './admission-refused.ts';
import { badEnv } from './bad-env.ts';
import { badImage } from './bad-image.ts';
import { badRollout } from './bad-rollout.ts';
import { badSecretValue } from './bad-secret-value.ts';
import { changedEnv } from './changed-env.ts';
import { configUnknownHost } from './config-unknown-host.ts';
import { cpuThrottling } from './cpu-throttling.ts';
import { crashLoop } from './crash-loop.ts';
import { credentialDrift } from './credential-drift.ts';
import { crashloopBadConfig } from './crashloop-bad-config.ts';
import { dependencyDown } from './dependency-down.ts';
import { disruptionBudget } from './disruption-budget.ts';
import type { Detector } from './detector.ts';
import { dns } from './dns.ts';
import { dnsConfig } from './dns-config.ts';
import { externalName } from './external-name.ts';
import { featureFlag } from './feature-flag.ts';
import { hpaLimit } from './hpa-limit.ts';
import { ingressUpstream } from './ingress-upstream.ts';
import { initContainer } from './init-container.ts';
import { insufficientResources } from './insufficient-resources.ts';
import { jobFailure } from './job-failure.ts';
import { memoryLeak } from './memory-leak.ts';
import { meshEgress } from './mesh-egress.ts';
import { meshRouting } from './mesh-routing.ts';
import { missingReference } from './missing-reference.ts';
import { networkPolicy } from './network-policy.ts';
import { nodeCondition } from './node-condition.ts';
import { oomLimit } from './oom-limit.ts';
import { probeFailure } from './probe-failure.ts';
import { pvcPending } from './pvc-pending.ts';
import { quotaExceeded } from './quota-exceeded.ts';
import { rbacForbidden } from './rbac-forbidden.ts';
import { routingBackend } from './routing-backend.ts';
import { serviceSelector } from './service-selector.ts';
import { servicePort } from './service-port.ts';
import { taint } from './taint.ts';
import { tlsCertificate } from './tls-certificate.ts';

/** Every failure mode the engine knows, one detector each. */
export const DETECTORS: readonly Detector[] = [
  oomLimit,
  memoryLeak,
  cpuThrottling,
  crashloopBadConfig,
  featureFlag,
  crashLoop,
  badImage,
  missingReference,
  badSecretValue,
  credentialDrift,
  probeFailure,
  serviceSelector,
  servicePort,
  routingBackend,
  ingressUpstream,
  meshRouting,
  meshEgress,
  networkPolicy,
  dns,
  configUnknownHost,
  dnsConfig,
  badEnv,
  changedEnv,
  dependencyDown,
  nodeCondition,
  taint,
  insufficientResources,
  pvcPending,
  quotaExceeded,
  hpaLimit,
  initContainer,
  badRollout,
  jobFailure,
  rbacForbidden,
  admissionRefused,
  externalName,
  tlsCertificate,
  disruptionBudget,
];

export type { Detector };
