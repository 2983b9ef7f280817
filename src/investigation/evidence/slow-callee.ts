import { readyAddresses } from './endpoints.ts';
import { looksLikeError, WARNING_LEVEL } from './log-line.ts';
import { namespacesNamedIn, type PodController, peerServices } from './peer-namespaces.ts';
import type { ClusterSnapshot } from './snapshot.ts';

/**
 * A caller's errors may name the callee it waits on by its bare name (`TimeoutError: thumbnailer did not answer within
 * 8000ms`), as its own client calls it, while its configuration reaches that Service in another namespace by its
 * cluster DNS name (`http://thumbnailer.media.svc:8080`). Of the namespaces only probed (their Endpoints read), those
 * holding a Service the configuration calls there and the errors name are where the failing call goes: a firmer lead
 * than how often the configuration names each namespace.
 */
export function namespacesOfNamedCallees(
  snapshot: ClusterSnapshot,
  namespace: string,
  probed: string[],
  controllers: PodController[],
): string[] {
  const errors = snapshot.logs
    .filter((log) => log.namespace === namespace)
    .flatMap((log) => log.lines.filter((line) => looksLikeError(line)))
    .map((line) => line.toLowerCase());
  if (errors.length === 0) return [];
  const called = peerServices(
    snapshot.pods.filter((pod) => pod.metadata?.namespace === namespace),
    namespace,
    controllers,
  );
  const named = (service: string) => errors.some((line) => standsAlone(service, line));
  return probed.filter((peer) => [...(called.get(peer) ?? [])].some(named));
}

/** Whether a name stands alone in a line (not part of a longer name; a DNS name's first label counts). */
export function standsAlone(name: string, line: string): boolean {
  if (name.length < 3) return false;
  let from = line.indexOf(name);
  while (from >= 0) {
    const before = line[from - 1] ?? ' ';
    const after = line[from + name.length] ?? ' ';
    if (!/[\w.-]/.test(before) && !/[\w-]/.test(after)) return true;
    from = line.indexOf(name, from + 1);
  }
  return false;
}

/** A call that got no answer in time: the callee is up (it accepted the connection) but too slow, or not answering. */
const NOT_IN_TIME =
  /did not (?:answer|respond|reply)|timed? ?out|timeout|deadline exceeded|took too long|no response within/i;

/**
 * Other namespaces read where a Service the namespace's errors say did not answer in time lives, with ready pods behind
 * it (up, yet slow): by its bare name or its cluster DNS name. Whatever slows the callee's pods (a CPU limit that
 * throttles them) shows in their namespace's series, which the alerted namespace's queries do not cover.
 */
export function slowCalleeNamespaces(snapshot: ClusterSnapshot, namespace: string, read: string[]): string[] {
  const lines = snapshot.logs
    .filter((log) => log.namespace === namespace)
    .flatMap((log) => log.lines)
    .filter((line) => looksLikeError(line) && NOT_IN_TIME.test(line));
  if (lines.length === 0) return [];
  const lowered = lines.map((line) => line.toLowerCase());
  const served = (peer: string) =>
    snapshot.endpoints.some(
      (e) =>
        e.metadata?.namespace === peer &&
        readyAddresses(e).length > 0 &&
        lowered.some((line) => standsAlone(e.metadata?.name ?? '', line)),
    );
  const byDns = namespacesNamedIn(lines, namespace);
  return read.filter((peer) => peer !== namespace && (byDns.includes(peer) || served(peer)));
}

/**
 * A call that timed out while connecting (`Connection timeout`, `can't connect … (timed out)`, `dial tcp …`) never
 * reached a server to answer slowly: dropped packets (a policy, a route), not a slow callee.
 */
const CONNECTING = /\bconnect|\bdial\b/i;

/** An answer that came, but only after seconds (`GET /live 200 3380ms (store 3320ms)`, `query took 2.4s`). */
const SLOW_ANSWER = /\b[1-9]\d{3,}(?:\.\d+)?\s?ms\b|\btook\s+\d+(?:\.\d+)?\s?s(?:ec(?:ond)?s?)?\b/i;

/**
 * Other namespaces the pods' configuration calls into (`http://store-broker.store.svc:8099`) that the namespace's
 * warnings of slow answers, or errors of answers that did not come in time (`fraud check timed out after 250ms`), name
 * — by the namespace, a Service called there, or that Service's first word, as a client names what it calls (`store
 * 3320ms`): the callee the time goes to, though it answers and logs no error. Its pods,
 * and whatever slows them (a CPU limit that throttles them), are in that namespace.
 */
export function slowlyAnsweringPeers(
  snapshot: ClusterSnapshot,
  namespace: string,
  controllers: PodController[],
): string[] {
  const lines = snapshot.logs
    .filter((log) => log.namespace === namespace)
    .flatMap((log) => log.lines)
    .filter(
      (line) =>
        (WARNING_LEVEL.test(line) && SLOW_ANSWER.test(line)) ||
        (looksLikeError(line) && NOT_IN_TIME.test(line) && !CONNECTING.test(line)),
    )
    .map((line) => line.toLowerCase());
  if (lines.length === 0) return [];
  const called = peerServices(
    snapshot.pods.filter((pod) => pod.metadata?.namespace === namespace),
    namespace,
    controllers,
  );
  const names = (peer: string, services: Set<string>) => [
    peer,
    ...[...services].flatMap((service) => [service, service.split('-')[0] ?? '']),
  ];
  return [...called]
    .filter(([peer, services]) =>
      names(peer, services).some((name) => name.length >= 4 && lines.some((line) => standsAlone(name, line))),
    )
    .map(([peer]) => peer);
}
