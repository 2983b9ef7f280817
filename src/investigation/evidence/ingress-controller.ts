import { matchesMap } from './labels.ts';
import type { LogTarget } from './log-targets.ts';
import type { ClusterSnapshot } from './snapshot.ts';

type IngressClass = ClusterSnapshot['ingressClasses'][number];
type Pod = ClusterSnapshot['pods'][number];

// The Kubernetes recommended labels, which the charts that install ingress controllers put on both the IngressClass
// and the controller's pods: how the controller is found without assuming which one it is or what it is called.
const RECOMMENDED = ['app.kubernetes.io/name', 'app.kubernetes.io/instance', 'app.kubernetes.io/component'];
const RELEASE_NAMESPACE = 'meta.helm.sh/release-namespace';
const DEFAULT_CLASS = 'ingressclass.kubernetes.io/is-default-class';
const LEGACY_CLASS = 'kubernetes.io/ingress.class';

/** The IngressClasses of the Ingresses read: each one's named class, else the cluster's default class. */
export function classesOf(snapshot: ClusterSnapshot): IngressClass[] {
  const wanted = new Set(
    snapshot.ingresses.map(
      (ingress) => ingress.spec?.ingressClassName ?? ingress.metadata?.annotations?.[LEGACY_CLASS] ?? '',
    ),
  );
  return snapshot.ingressClasses.filter(
    (cls) =>
      wanted.has(cls.metadata?.name ?? '') || (wanted.has('') && cls.metadata?.annotations?.[DEFAULT_CLASS] === 'true'),
  );
}

/** The labels the controller's pods carry, as the class says (its recommended labels); none when it says nothing. */
export function controllerLabels(cls: IngressClass): Record<string, string> {
  const labels = cls.metadata?.labels ?? {};
  return Object.fromEntries(RECOMMENDED.filter((key) => labels[key]).map((key) => [key, labels[key] as string]));
}

/** Where the controller's pods are read: the namespace its release was installed in, when the class says. */
export const controllerNamespace = (cls: IngressClass): string | undefined =>
  cls.metadata?.annotations?.[RELEASE_NAMESPACE];

/** The controller pods of the classes of the Ingresses read (those read so far). */
export function controllerPods(snapshot: ClusterSnapshot): Pod[] {
  const selectors = classesOf(snapshot)
    .map(controllerLabels)
    .filter((labels) => Object.keys(labels).length > 0);
  return snapshot.pods.filter((pod) => selectors.some((labels) => matchesMap(pod.metadata?.labels, labels)));
}

/** The log of one running controller pod: what it says when it cannot reach the backends the Ingresses name. */
export function controllerLogTarget(snapshot: ClusterSnapshot): LogTarget | undefined {
  const pod = controllerPods(snapshot).find((p) => p.status?.phase === 'Running');
  const container = pod?.status?.containerStatuses?.find((status) => status.state?.running)?.name;
  if (!pod?.metadata?.name || !pod.metadata.namespace || !container) return undefined;
  return {
    namespace: pod.metadata.namespace,
    pod: pod.metadata.name,
    container,
    previous: false,
    why: "the ingress controller in front of the symptom: its errors connecting to the Ingresses' backends",
  };
}
