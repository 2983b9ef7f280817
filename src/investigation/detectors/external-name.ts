import { literal } from '../evidence/config-mentions.ts';
import { refOf } from '../evidence/graph.ts';
import { serviceNameOf } from '../evidence/hosts.ts';
import { misspeltDomain } from '../evidence/misspelt-domain.ts';
import { looksLikeError, RESOLVE_ERROR } from '../evidence/log-line.ts';
import { lastDistinct, logEvidence, logLinesOf } from '../evidence/logs.ts';
import { lastChange } from '../evidence/time.ts';
import type { EntityRef, Evidence, Finding } from '../model.ts';
import { type Detector, finding } from './detector.ts';

/** How sure a finding is (the scale: detectors/detector.ts). */
const STRENGTH = {
  /** Its callers' calls through the alias fail. */
  callsFail: 0.85,
  /** It aliases a Service that does not exist, but no failing call was read. */
  missingTarget: 0.6,
} as const;

/**
 * An ExternalName Service is only an alias: a caller's errors about it are about the host it aliases. When callers fail
 * to reach that host (their errors name it), or it names a cluster Service that does not exist in a namespace that was
 * read, the alias is where the fault is set. The catalogue has no type for it: other.
 */
export const externalName: Detector = {
  id: 'external-name',
  faultTypes: ['other'],
  detect(snapshot, graph) {
    const findings: Finding[] = [];
    for (const service of snapshot.services) {
      const alias = service.spec?.externalName?.toLowerCase().replace(/\.$/, '');
      if (service.spec?.type !== 'ExternalName' || !alias) continue;
      const ref = refOf('Service', service.metadata);
      const namespace = ref.namespace ?? '';
      const callers = graph.workloads.filter((w) =>
        graph.dependenciesOf(w.ref).some((edge) => edge.to.kind === 'Service' && edge.to.name === ref.name),
      );
      // The caller's errors that name the aliased host (what it actually dialled or looked up), or that fail to
      // resolve the Service's own cluster name: cluster DNS answers that name with the alias, so a lookup of
      // `<svc>.<ns>.svc…` that finds nothing is the alias not resolving (a runtime reports the name it asked for).
      const ownName = new RegExp(`\\b${literal(ref.name)}\\.${literal(namespace)}(\\.svc\\b|[^a-z0-9.-]|$)`, 'i');
      const failsFor = (text: string) =>
        (looksLikeError(text) && text.toLowerCase().includes(alias)) ||
        (RESOLVE_ERROR.test(text) && ownName.test(text));
      const failing = callers.flatMap((caller) =>
        lastDistinct(
          logLinesOf(
            snapshot,
            caller.ref.namespace ?? '',
            graph.podsOf(caller.ref).map((p) => p.metadata?.name ?? ''),
          ),
          failsFor,
          1,
        ).map((line) => ({ caller: caller.ref, line })),
      );
      const target = serviceNameOf(alias, namespace);
      const targetRead =
        target !== undefined &&
        snapshot.services.some((s) => s.metadata?.namespace === target.namespace) &&
        !snapshot.incomplete.some((read) => read.kind === 'Service' && read.namespace === target.namespace);
      const missingTarget =
        target !== undefined && targetRead && alias.includes('.svc') && !graph.service(target.namespace, target.name);
      if (failing.length === 0 && !missingTarget) continue;
      const evidence: Evidence[] = [
        { source: 'spec', ref, text: `Service ${ref.name} is type ExternalName, an alias of ${alias}` },
        ...(missingTarget
          ? [{ source: 'spec' as const, ref, text: `no Service ${target.name} exists in ${target.namespace}` }]
          : []),
        ...failing.slice(0, 2).map(({ line }) => logEvidence(line)),
      ];
      const affects: EntityRef[] = failing.length > 0 ? failing.map((f) => f.caller) : callers.map((c) => c.ref);
      const changedAt = lastChange(service.metadata);
      // Lookups of the alias fail and it is misspelt: the name it points at exists in no DNS — a DNS fault, where a
      // well-spelt alias to a host that went away (a retired provider) is the alias's own (other).
      const misspelt = failing.some(({ line }) => RESOLVE_ERROR.test(line.text))
        ? misspeltDomain(alias, snapshot)
        : undefined;
      if (misspelt)
        evidence.push({
          source: 'spec',
          ref,
          text: `${alias} is under no domain in use: it misspells ${misspelt}, which the pods' images and settings name`,
        });
      findings.push(
        finding(externalName, {
          entity: ref,
          affects,
          strength: failing.length > 0 ? STRENGTH.callsFail : STRENGTH.missingTarget,
          summary: missingTarget
            ? `Service ${ref.name} aliases ${alias}, and no Service ${target.name} exists in ${target.namespace}`
            : `Service ${ref.name} aliases ${alias}, which its callers cannot reach: "${failing[0]?.line.text.slice(0, 160)}"`,
          evidence,
          ...(changedAt ? { changedAt } : {}),
          ...(misspelt ? { namedAs: 'dns' as const } : {}),
        }),
      );
    }
    return findings;
  },
};
