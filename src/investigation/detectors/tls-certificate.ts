import { TLS_ERROR } from '../evidence/certificates.ts';
import { configObject } from '../evidence/config-change.ts';
import type { EvidenceGraph } from '../evidence/graph.ts';
import { hostMentions } from '../evidence/hosts.ts';
import { lastDistinct, logEvidence, logLinesOf } from '../evidence/logs.ts';
import type { SecretShape } from '../evidence/snapshot.ts';
import { lastChange } from '../evidence/time.ts';
import type { EntityRef, Finding } from '../model.ts';
import { refKey } from '../model.ts';
import type { Detector } from './detector.ts';

const UNTRUSTED =
  /unknown (certificate )?authority|self[- ]signed|PKIX path building failed|unable to get local issuer/i;

// cert-manager writes which Certificate (and issuer) a Secret was issued for on the Secret itself.
const CERTIFICATE_NAME = 'cert-manager.io/certificate-name';
const ISSUER_NAME = 'cert-manager.io/issuer-name';
const ISSUER_KIND = 'cert-manager.io/issuer-kind';

const isTlsSecret = (secret: SecretShape): boolean =>
  secret.type === 'kubernetes.io/tls' || (secret.keys.includes('tls.crt') && secret.keys.includes('tls.key'));

/** The TLS Secrets a workload mounts or reads. */
function tlsSecretsOf(snapshot: Parameters<Detector['detect']>[0], graph: EvidenceGraph, workload: EntityRef) {
  return graph
    .referencesOf(workload)
    .filter((reference) => reference.target.kind === 'Secret')
    .map((reference) => configObject(snapshot, reference.target) as SecretShape | undefined)
    .filter((secret): secret is SecretShape => secret !== undefined && isTlsSecret(secret));
}

/**
 * TLS verification fails (an expired certificate, one signed by an authority the client does not trust, one for other
 * names): the fault is the certificate the server presents. Its TLS Secret is found through the Service the failing
 * call names (or the failing pod's own, for a server that cannot load it); cert-manager's annotations on it lead to the
 * Certificate that issues it, or to the issuer when the authority is not trusted. The catalogue has no type: other.
 */
export const tlsCertificate: Detector = {
  id: 'tls-certificate',
  faultTypes: ['other'],
  detect(snapshot, graph) {
    const findings = new Map<string, Finding>();
    for (const workload of graph.workloads) {
      const namespace = workload.ref.namespace ?? '';
      const pods = graph.podsOf(workload.ref).map((p) => p.metadata?.name ?? '');
      const lines = lastDistinct(logLinesOf(snapshot, namespace, pods), (text) => TLS_ERROR.test(text), 2);
      if (lines.length === 0) continue;
      const servers = new Map<string, EntityRef>();
      for (const line of lines)
        for (const { host } of hostMentions(line.text)) {
          const service = graph.serviceByHost(host, namespace);
          for (const server of service ? graph.workloadsBehind(service) : []) servers.set(refKey(server), server);
        }
      // No Service named: the failing pods' own certificate (a server that cannot load or serve it).
      if (servers.size === 0) servers.set(refKey(workload.ref), workload.ref);
      const untrusted = lines.some((line) => UNTRUSTED.test(line.text));
      for (const server of servers.values()) {
        for (const secret of tlsSecretsOf(snapshot, graph, server)) {
          const annotations = secret.metadata?.annotations ?? {};
          const secretRef: EntityRef = { kind: 'Secret', namespace, name: secret.metadata?.name ?? '' };
          const issuerKind = annotations[ISSUER_KIND] ?? 'Issuer';
          const entity: EntityRef =
            untrusted && annotations[ISSUER_NAME]
              ? {
                  kind: issuerKind,
                  ...(issuerKind === 'ClusterIssuer' ? {} : { namespace }),
                  name: annotations[ISSUER_NAME],
                }
              : annotations[CERTIFICATE_NAME]
                ? { kind: 'Certificate', namespace, name: annotations[CERTIFICATE_NAME] }
                : secretRef;
          const key = refKey(entity);
          const existing = findings.get(key);
          if (existing) {
            if (!existing.affects.some((a) => refKey(a) === refKey(workload.ref))) existing.affects.push(workload.ref);
            continue;
          }
          const changedAt = lastChange(secret.metadata);
          findings.set(key, {
            detector: 'tls-certificate',
            faultType: 'other',
            entity,
            affects: [workload.ref, server],
            strength: 0.85,
            summary: `${entity.kind} ${entity.name}: TLS verification of ${server.kind} ${server.name}'s certificate fails${untrusted ? ' (an authority the client does not trust)' : ''} — "${lines[0]?.text.slice(0, 160)}"`,
            evidence: [
              ...lines.map(logEvidence),
              {
                source: 'spec',
                ref: secretRef,
                text: `${server.kind} ${server.name} serves the certificate of TLS Secret ${secretRef.name}${annotations[CERTIFICATE_NAME] ? `, issued for Certificate ${annotations[CERTIFICATE_NAME]} by ${issuerKind} ${annotations[ISSUER_NAME] ?? '?'}` : ''}`,
              },
            ],
            ...(changedAt ? { changedAt } : {}),
          });
        }
      }
    }
    return [...findings.values()];
  },
};
