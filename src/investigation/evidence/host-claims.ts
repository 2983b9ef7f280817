import { unreadyConditions } from './awaited-references.ts';
import type { CustomObject } from './custom-object.ts';
import { specStrings } from './governing-resources.ts';
import { hostMatches, mentionedHosts } from './ingress-routes.ts';
import { isRouteKind } from './route-kinds.ts';

/**
 * A router serves a host from every route that claims it, wherever the route lives: the routes of one host are merged
 * into one virtual host, and one route can take the requests of the others — a
 * duplicated virtual host that invalidates them all, a prefix that covers theirs with a higher precedence. So the
 * routes claiming the host the alert names are on the symptom's path whatever namespace or Service they name. Found
 * by the host written in the route's spec (a `hostname`, an `fqdn`, a `Host(…)` match), never by a product's field.
 */

/** Whether a route object's spec writes a host name that serves `host` (exactly, or as a one-label wildcard). */
export function claimsHost(route: CustomObject, host: string): boolean {
  return specStrings(route.spec).some((value) =>
    mentionedHosts(value).some((written) => hostMatches(written.host, host)),
  );
}

/** The router routes read that claim the host. */
export function claimantsOf(objects: readonly CustomObject[], host: string): CustomObject[] {
  return objects.filter((object) => isRouteKind(object.kind) && claimsHost(object, host));
}

/** What a status word says when the router refused the object (`currentStatus: invalid`, `state: Error`). */
const REFUSED_STATE = /^(?:invalid|error|errored|failed|rejected|conflict(?:ed)?)$/i;

/**
 * What the object's status reports against it, if anything: a readiness-like condition False (its message), or a
 * top-level status word of refusal with the description beside it.
 */
export function statusComplaint(object: CustomObject): string | undefined {
  const condition = unreadyConditions(object)[0];
  if (condition)
    return `${condition.type}=False${condition.reason ? ` (${condition.reason})` : ''}${condition.message ? `: ${condition.message}` : ''}`;
  const status = (object.status ?? {}) as Record<string, unknown>;
  const word = Object.values(status).find((value) => typeof value === 'string' && REFUSED_STATE.test(value));
  if (typeof word !== 'string') return undefined;
  const description = Object.values(status).find(
    (value) => typeof value === 'string' && value !== word && value.length > 8,
  );
  return `${word}${typeof description === 'string' ? `: ${description}` : ''}`;
}
