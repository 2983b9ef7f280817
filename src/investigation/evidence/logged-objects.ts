import { OBJECT_KINDS } from '../tools/kinds.ts';
import { kindNamedBy } from './configured-objects.ts';
import { type CustomObject, nameStandsIn, servedCustomKind } from './custom-object.ts';
import type { WantedList } from './custom-read-plan.ts';
import { specStrings } from './governing-resources.ts';
import { looksLikeError, WARNING_LEVEL } from './log-line.ts';
import { namespacesNamedIn } from './peer-namespaces.ts';
import type { ServedGroup } from './routing-objects.ts';
import type { ClusterSnapshot } from './snapshot.ts';

/**
 * Software configured through custom resources says which of them it fails with in its own structured fields: a
 * sidecar logs `component="cache (state.kv/v1)"`, a client `"binding":"orders-out"`, the field called after a kind the
 * cluster serves (`Component`, `Binding`) and its value the object's name. That object — read through discovery by
 * the field's name, never by a product's — holds what the failing call was configured with (a host, a topic): it
 * says where the call goes, as an env value would.
 */

/** `key=value`, `key="value …"`, `"key":"value"`: a structured field of a log line. */
const FIELD = /(?:^|[\s{,])"?([A-Za-z][A-Za-z0-9_]{3,})"?\s*[=:]\s*"?([a-z0-9][a-z0-9.-]{2,})/g;

/** The fields of a line whose value can be an object's name, the key lower-cased. */
export function loggedFields(line: string): { key: string; value: string }[] {
  return [...line.matchAll(FIELD)].map((match) => ({ key: (match[1] ?? '').toLowerCase(), value: match[2] ?? '' }));
}

/** A served custom kind, namespaced, of one word equal to a field's key (`component` → Component), at most one. */
function kindOfField(groups: readonly ServedGroup[], key: string) {
  const served = servedCustomKind(groups, (r) => r.namespaced && r.kind.toLowerCase() === key);
  return served && { group: served.group, version: served.version, plural: served.plural, kind: served.kind };
}

/** Kinds named by the fields of error lines, listed. */
const MAX_LOGGED_KINDS = 1;

/** Field keys that speak of the kinds Kubernetes itself serves (`service=`, `pod=`), not of another software's. */
const BUILT_IN_WORDS = new Set(OBJECT_KINDS.map((kind) => kind.toLowerCase()));

/**
 * A served custom kind, namespaced, of several words whose last one is a field's key (`topic` → KafkaTopic, `queue` →
 * BrokerQueue), at most one: the software the line speaks to (a broker) calls the thing so, and an operator serves
 * it as that software's kind. Not a word of a kind Kubernetes serves itself (`service`, `pod`).
 */
function kindOfConcept(groups: readonly ServedGroup[], key: string) {
  const served = servedCustomKind(
    groups,
    (r) => r.namespaced && /[a-z0-9][A-Z]/.test(r.kind) && fieldNames(r.kind, key),
  );
  return served && { group: served.group, version: served.version, plural: served.plural, kind: served.kind };
}

/** Whether a log field's key names a kind: its very name, or its last word unless Kubernetes serves a kind so called. */
export const fieldNames = (kind: string, key: string): boolean =>
  kind.toLowerCase() === key || (!BUILT_IN_WORDS.has(key) && kindNamedBy(kind, key));

/** Lines that say something went wrong: errors, and what the process itself logged as a warning. */
export const warnsOrErrs = (line: string): boolean => looksLikeError(line) || WARNING_LEVEL.test(line);

/**
 * Error lines read name an object in a field called after a served custom kind: that kind, where the logging pod runs
 * (its configuration objects live beside it). The error states which one it fails with, so it comes before guesses.
 * Error and warning lines that name an object in a field called after the last word of a served kind (`topic=` for a
 * …Topic) name what another software keeps for them (a broker's topic): that kind, in every namespace — its operator
 * keeps its objects where the software runs, not beside its clients.
 */
export function loggedObjectLists(snapshot: ClusterSnapshot): WantedList[] {
  const wanted = new Map<string, WantedList>();
  for (const log of snapshot.logs) {
    for (const line of log.lines.filter(warnsOrErrs)) {
      for (const { key, value } of loggedFields(line)) {
        const own = looksLikeError(line) ? kindOfField(snapshot.apiGroups, key) : undefined;
        const kind = own ?? kindOfConcept(snapshot.apiGroups, key);
        if (!kind) continue;
        const where = own ? log.namespace : undefined;
        wanted.set(`${kind.group}/${kind.kind}@${where ?? '*'}`, {
          resource: kind,
          ...(where ? { namespace: where } : {}),
          why: `errors of ${log.pod} name ${kind.kind} ${value}: ${own ? 'what it is configured with' : 'what they use'}`,
          relevance: 3,
        });
      }
    }
  }
  // A kind the field names itself, beside the logging pod, before one of another software's words.
  return [...wanted.values()].sort((a, b) => Number(!a.namespace) - Number(!b.namespace)).slice(0, MAX_LOGGED_KINDS);
}

/** A custom object an error line names, with where the line was read. */
export interface LoggedObject {
  object: CustomObject;
  namespace: string;
  pod: string;
  container: string;
  line: string;
}

/** Custom objects that error lines read in their namespace name, with those lines' pods. */
export function objectsNamedByErrors(snapshot: ClusterSnapshot): LoggedObject[] {
  const found: LoggedObject[] = [];
  for (const log of snapshot.logs) {
    const here = snapshot.customObjects.filter((object) => object.metadata?.namespace === log.namespace);
    if (here.length === 0) continue;
    for (const line of log.lines.filter(looksLikeError)) {
      const fields = loggedFields(line);
      for (const object of here) {
        const named = fields.some(
          ({ key, value }) => key === object.kind.toLowerCase() && value === object.metadata?.name,
        );
        if (named && nameStandsIn(object, line, 3))
          found.push({ object, namespace: log.namespace, pod: log.pod, container: log.container, line });
      }
    }
  }
  return found;
}

/** Other namespaces the specs of objects the errors name point at through cluster DNS (`cache.data.svc:6379`). */
export function namespacesObjectsPointAt(snapshot: ClusterSnapshot): string[] {
  return [
    ...new Set(
      objectsNamedByErrors(snapshot).flatMap(({ object, namespace }) =>
        namespacesNamedIn(specStrings(object.spec), namespace),
      ),
    ),
  ];
}
