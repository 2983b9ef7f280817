import type { Container, PodSpec } from './render.ts';

/** Volume types the "restricted" profile allows. */
const RESTRICTED_VOLUMES = new Set([
  'configMap',
  'csi',
  'downwardAPI',
  'emptyDir',
  'ephemeral',
  'persistentVolumeClaim',
  'projected',
  'secret',
]);

/**
 * What keeps a pod spec out of the PodSecurity "restricted" profile (Pod Security Standards, baseline + restricted
 * controls, as the PodSecurity admission plugin checks them). Empty: the pod is admitted.
 */
export function restrictedViolations(spec: PodSpec): string[] {
  const problems: string[] = [];
  const pod = spec.securityContext ?? {};
  for (const field of ['hostNetwork', 'hostPID', 'hostIPC'] as const) {
    if (spec[field]) problems.push(`${field} is true`);
  }
  for (const volume of spec.volumes ?? []) {
    const type = Object.keys(volume).find((key) => key !== 'name');
    if (!type || !RESTRICTED_VOLUMES.has(type)) problems.push(`volume ${volume.name} is of type ${type}`);
  }
  if (pod.runAsUser === 0) problems.push('the pod runs as user 0');
  if (pod.seccompProfile && !['RuntimeDefault', 'Localhost'].includes(pod.seccompProfile.type)) {
    problems.push(`the pod's seccomp profile is ${pod.seccompProfile.type}`);
  }
  const containers: Container[] = [...(spec.initContainers ?? []), ...spec.containers];
  for (const container of containers) {
    const own = container.securityContext ?? {};
    const where = `container ${container.name}`;
    if (own.privileged) problems.push(`${where} is privileged`);
    if (own.allowPrivilegeEscalation !== false) problems.push(`${where} does not set allowPrivilegeEscalation: false`);
    if (!(own.runAsNonRoot ?? pod.runAsNonRoot)) problems.push(`${where} does not set runAsNonRoot: true`);
    if (own.runAsUser === 0) problems.push(`${where} runs as user 0`);
    const seccomp = own.seccompProfile?.type ?? pod.seccompProfile?.type;
    if (!seccomp || !['RuntimeDefault', 'Localhost'].includes(seccomp)) {
      problems.push(`${where} has seccomp profile ${seccomp ?? 'unset'}`);
    }
    if (!own.capabilities?.drop?.includes('ALL')) problems.push(`${where} does not drop ALL capabilities`);
    const added = (own.capabilities?.add ?? []).filter((capability) => capability !== 'NET_BIND_SERVICE');
    if (added.length > 0) problems.push(`${where} adds capabilities ${added.join(', ')}`);
    if ((container.ports ?? []).some((port) => 'hostPort' in port)) problems.push(`${where} uses a host port`);
  }
  return problems;
}
