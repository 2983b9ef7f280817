import type { WantedList } from './custom-read-plan.ts';
import type { CustomObject } from './custom-object.ts';
import { nameStandsIn } from './custom-object.ts';
import { eventsFor, eventTime } from './events.ts';
import { classesOf, controllerPods } from './ingress-controller.ts';
import type { ClusterSnapshot } from './snapshot.ts';

type Ingress = ClusterSnapshot['ingresses'][number];
type IngressClass = ClusterSnapshot['ingressClasses'][number];

/**
 * An IngressClass says which controller serves its Ingresses and, in `spec.parameters` ({apiGroup, kind, name,
 * scope, namespace}), the object that holds that controller's settings for the class: the load balancer it provisions
 * (public or private, its listeners, its subnet), shared by every Ingress of the class. The Ingress names none of it,
 * so a change there breaks the Ingresses with nothing changed in them or behind them: where users enter, the class's
 * parameters are as much on the path as the Ingress itself. Found by the reference, its kind through discovery —
 * never by a product's name.
 */
export interface ClassParameters {
  group: string;
  kind: string;
  name: string;
  /** Set for parameters scoped to a namespace; cluster-scoped parameters have none. */
  namespace?: string;
}

/** The parameters object an IngressClass names, if any. */
export function parametersOf(cls: IngressClass): ClassParameters | undefined {
  const parameters = cls.spec?.parameters;
  if (!parameters?.kind || !parameters.name) return undefined;
  const namespaced = parameters.scope === 'Namespace' && parameters.namespace;
  return {
    group: parameters.apiGroup ?? '',
    kind: parameters.kind,
    name: parameters.name,
    ...(namespaced ? { namespace: parameters.namespace as string } : {}),
  };
}

/** The parameters' kind as discovery serves it (group, version, plural), when it does. */
function servedKind(snapshot: ClusterSnapshot, parameters: ClassParameters) {
  for (const { group, resources = [] } of snapshot.apiGroups) {
    if (group !== parameters.group) continue;
    const resource = resources.find((r) => r.kind === parameters.kind);
    if (resource) return { group, version: resource.version, plural: resource.plural, kind: resource.kind };
  }
  return undefined;
}

/** How closely the class's parameters relate to the symptom: the Ingress in front of it uses them, nothing less. */
const RELEVANCE = 3;

/**
 * The lists that hold the parameters of the classes the Ingresses read use: one per kind and namespace, read only when
 * discovery serves the kind (a class naming a kind the cluster does not serve has nothing to read).
 */
export function classParameterLists(snapshot: ClusterSnapshot): WantedList[] {
  return classesOf(snapshot).flatMap((cls) => {
    const parameters = parametersOf(cls);
    const resource = parameters && servedKind(snapshot, parameters);
    if (!parameters || !resource) return [];
    return [
      {
        resource,
        ...(parameters.namespace ? { namespace: parameters.namespace } : {}),
        why: `the parameters of IngressClass ${cls.metadata?.name}, which the Ingresses in front of the symptom use: ${parameters.kind} ${parameters.name}`,
        relevance: RELEVANCE,
      },
    ];
  });
}

/** The IngressClass an Ingress uses, when read: the one it names, else the cluster's default class. */
function classOfIngress(snapshot: ClusterSnapshot, ingress: Ingress): IngressClass | undefined {
  return classesOf({ ...snapshot, ingresses: [ingress] })[0];
}

/** The parameters object of the Ingress's class, as read, with the class that names it. */
export function ingressParameters(
  snapshot: ClusterSnapshot,
  ingress: Ingress,
): { cls: IngressClass; object: CustomObject } | undefined {
  const cls = classOfIngress(snapshot, ingress);
  const parameters = cls && parametersOf(cls);
  if (!cls || !parameters) return undefined;
  const object = snapshot.customObjects.find(
    (o) =>
      o.kind === parameters.kind &&
      o.apiVersion.split('/')[0] === parameters.group &&
      o.metadata?.name === parameters.name &&
      (parameters.namespace === undefined || o.metadata?.namespace === parameters.namespace),
  );
  return object && { cls, object };
}

/** Names shorter than this match too much by chance in a controller's words. */
const MIN_NAME = 4;

/**
 * What the class's controller says of the parameters object while it serves the Ingress: a Warning event about the
 * Ingress, or a line of the controller's log, naming the object — the controller fails with those settings. Undefined
 * when it names it nowhere.
 */
export function controllerNamesParameters(
  snapshot: ClusterSnapshot,
  ingress: Ingress,
  object: CustomObject,
): { text: string; at?: string } | undefined {
  const warning = eventsFor(snapshot, 'Ingress', ingress.metadata?.namespace, ingress.metadata?.name ?? '').find(
    (event) => event.type === 'Warning' && nameStandsIn(object, event.message ?? '', MIN_NAME),
  );
  const at = warning && eventTime(warning);
  if (warning)
    return {
      text: `Warning ${warning.reason} on Ingress ${ingress.metadata?.name}: ${warning.message}`,
      ...(at ? { at } : {}),
    };
  const controllers = new Set(controllerPods(snapshot).map((p) => `${p.metadata?.namespace}/${p.metadata?.name}`));
  for (const log of snapshot.logs) {
    if (!controllers.has(`${log.namespace}/${log.pod}`)) continue;
    const line = log.lines.findLast((l) => nameStandsIn(object, l, MIN_NAME));
    if (line) return { text: `${log.pod}: ${line}` };
  }
  return undefined;
}
