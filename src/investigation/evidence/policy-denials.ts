import type { EntityRef } from '../model.ts';
import { eventSubject, eventTime, type KubeEvent } from './events.ts';
import { snapshotNow, toMs } from './time.ts';
import { SUSPECT_CHANGE_WINDOW } from './onset.ts';

/** A policy that refused an object, and the Warning event that says so. */
export interface PolicyDenial {
  policy: EntityRef;
  /** The object it refused, when the message names one (`Pod shop/cart-7d9f`). */
  refused?: EntityRef;
  event: KubeEvent;
}

// What a policy engine says when it enforces (not when it only audits: "fail", "violation" alone are reports).
const DENIED = /\b(blocked|denied|denies|rejected|refused|disallowed)\b/i;
// `Pod gameservers/arena-7f`, `Deployment/shop/cart`: the kind, then namespace/name of what was refused.
const REFUSED_OBJECT = /\b([A-Z][A-Za-z]+)[ /]([a-z0-9][a-z0-9-]*)\/([a-z0-9][a-z0-9.-]*)/;
// A built-in policy named in a controller's refusal: `ValidatingAdmissionPolicy 'require-labels' with binding … denied`.
const BUILT_IN_POLICY = /\b(ValidatingAdmissionPolicy|MutatingAdmissionPolicy) '([^']+)'/;

/**
 * An object of an API group outside Kubernetes' workloads and core (a custom resource, or an admission object): a
 * policy engine reports its refusals as events about the policy itself, wherever the refused object lives.
 */
function governing(event: KubeEvent): boolean {
  const apiVersion = event.involvedObject?.apiVersion ?? '';
  const group = apiVersion.includes('/') ? (apiVersion.split('/')[0] as string) : '';
  return group === 'admissionregistration.k8s.io' || (group.includes('.') && !group.endsWith('.k8s.io'));
}

/**
 * Warning events that say a policy refused an object, recent (within the change window of the snapshot's time): those
 * about the policy object itself (its engine's report, which names what it blocked), and a controller's refusal that
 * names a built-in admission policy. Several events about one policy are all kept; the detector folds them.
 */
export function policyDenials(events: readonly KubeEvent[], now: string): PolicyDenial[] {
  const since = snapshotNow({ now }) - SUSPECT_CHANGE_WINDOW;
  return events.flatMap((event): PolicyDenial[] => {
    const message = event.message ?? '';
    if (event.type !== 'Warning' || !DENIED.test(message) || (toMs(eventTime(event)) ?? 0) < since) return [];
    const builtIn = BUILT_IN_POLICY.exec(message);
    if (builtIn) {
      // A controller's own event: it is what could not create the refused object.
      const policy = { kind: builtIn[1] as string, name: builtIn[2] as string };
      return [{ policy, event, refused: eventSubject(event) }];
    }
    if (!governing(event)) return [];
    const named = REFUSED_OBJECT.exec(message);
    const refused = named
      ? { refused: { kind: named[1] as string, namespace: named[2] as string, name: named[3] as string } }
      : {};
    const o = event.involvedObject ?? {};
    const policy: EntityRef = { kind: o.kind ?? '', name: o.name ?? '' };
    if (o.namespace) policy.namespace = o.namespace;
    return policy.kind && policy.name ? [{ policy, event, ...refused }] : [];
  });
}
