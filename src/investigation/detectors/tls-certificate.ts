import { type Certificate, type Issuer, TLS_ERROR } from '../evidence/certificates.ts';
import { calledHosts, certificatesPresentedTo } from '../evidence/certificate-hosts.ts';
import { configObject } from '../evidence/config-change.ts';
import { type EvidenceGraph, refOf } from '../evidence/graph.ts';
import { hostMentions } from '../evidence/hosts.ts';
import { lastDistinct, logEvidence, logLinesOf } from '../evidence/logs.ts';
import type { ClusterSnapshot, SecretShape } from '../evidence/snapshot.ts';
import { lastChange, toMs } from '../evidence/time.ts';
import { eventEvidence } from '../evidence/events.ts';
import { claimantsOf } from '../evidence/host-claims.ts';
import { mentionedHosts } from '../evidence/ingress-routes.ts';
import { routesToService } from '../evidence/route-kinds.ts';
import type { EntityRef, Evidence, Finding } from '../model.ts';
import { refKey } from '../model.ts';
import { type Detector, finding, seenAgain } from './detector.ts';

const UNTRUSTED =
  /unknown (certificate )?authority|self[- ]signed|PKIX path building failed|unable to get local issuer/i;

// cert-manager writes which Certificate (and issuer) a Secret was issued for on the Secret itself.
const CERTIFICATE_NAME = 'cert-manager.io/certificate-name';
const ISSUER_NAME = 'cert-manager.io/issuer-name';
const ISSUER_KIND = 'cert-manager.io/issuer-kind';

const isTlsSecret = (secret: SecretShape): boolean =>
  secret.type === 'kubernetes.io/tls' || (secret.keys.includes('tls.crt') && secret.keys.includes('tls.key'));

/** A certificate a server presents: its TLS Secret (when read) and the cert-manager Certificate that keeps it. */
interface Served {
  secretRef: EntityRef;
  secret?: SecretShape;
  certificate?: Certificate;
}

/**
 * The certificates a workload serves: the Secrets it mounts or reads that are TLS Secrets, or that a cert-manager
 * Certificate keeps (found by the Certificate's secretName, so without permission to read Secrets too).
 */
function servedCertificates(snapshot: ClusterSnapshot, graph: EvidenceGraph, workload: EntityRef): Served[] {
  return graph
    .referencesOf(workload)
    .filter((reference) => reference.target.kind === 'Secret')
    .flatMap((reference) => {
      const secret = configObject(snapshot, reference.target) as SecretShape | undefined;
      const name = secret?.metadata?.annotations?.[CERTIFICATE_NAME];
      const certificate = snapshot.certificates.find(
        (c) =>
          c.metadata?.namespace === reference.target.namespace &&
          (c.spec?.secretName === reference.target.name || (name !== undefined && c.metadata?.name === name)),
      );
      if (!certificate && !(secret && isTlsSecret(secret))) return [];
      return [{ secretRef: reference.target, ...(secret ? { secret } : {}), ...(certificate ? { certificate } : {}) }];
    });
}

const notReady = (object: { status?: { conditions?: { type: string; status: string }[] } } | undefined) =>
  object?.status?.conditions?.find((c) => c.type === 'Ready' && c.status === 'False') as
    | { reason?: string; message?: string; lastTransitionTime?: string }
    | undefined;

/** The Issuer or ClusterIssuer a Certificate names, when it was read. */
function issuerOf(snapshot: ClusterSnapshot, certificate: Certificate): { ref: EntityRef; issuer?: Issuer } {
  const name = certificate.spec?.issuerRef?.name ?? '';
  const namespace = certificate.metadata?.namespace ?? '';
  if (certificate.spec?.issuerRef?.kind === 'ClusterIssuer') {
    const issuer = snapshot.clusterIssuers.find((i) => i.metadata?.name === name);
    return { ref: { kind: 'ClusterIssuer', name }, ...(issuer ? { issuer } : {}) };
  }
  const issuer = snapshot.issuers.find((i) => i.metadata?.namespace === namespace && i.metadata?.name === name);
  return { ref: { kind: 'Issuer', namespace, name }, ...(issuer ? { issuer } : {}) };
}

/**
 * Where the fault of a certificate lives. cert-manager's own status first: an issuer that cannot sign (Ready False)
 * is the fault of every certificate it should renew; a Certificate that is not Ready says why in its message. Without
 * status, the Secret's annotations: the issuer when the client does not trust the authority, else the Certificate;
 * without cert-manager, the TLS Secret itself.
 */
function culprit(
  snapshot: ClusterSnapshot,
  served: Served,
  untrusted: boolean,
): { entity: EntityRef; strength: number; evidence: Evidence[]; changedAt?: string } {
  const { certificate, secret, secretRef } = served;
  const namespace = secretRef.namespace;
  if (certificate) {
    const certificateRef: EntityRef = { kind: 'Certificate', namespace, name: certificate.metadata?.name ?? '' };
    const issuer = issuerOf(snapshot, certificate);
    const issuerDown = notReady(issuer.issuer);
    const certificateDown = notReady(certificate);
    const statusOf = (ref: EntityRef, condition: NonNullable<typeof issuerDown>): Evidence => ({
      source: 'status',
      ref,
      text: `${ref.kind} ${ref.name} Ready=False${condition.reason ? ` (${condition.reason})` : ''}: ${condition.message ?? ''}`,
      ...(condition.lastTransitionTime ? { at: condition.lastTransitionTime } : {}),
    });
    if (issuerDown) {
      return {
        entity: issuer.ref,
        strength: STRENGTH.notReady,
        evidence: [
          statusOf(issuer.ref, issuerDown),
          ...(certificateDown ? [statusOf(certificateRef, certificateDown)] : []),
        ],
        ...(issuerDown.lastTransitionTime ? { changedAt: issuerDown.lastTransitionTime } : {}),
      };
    }
    const changed = issuerChangedBeforeFailure(issuer.issuer, certificate);
    if (changed) {
      return {
        entity: issuer.ref,
        strength: STRENGTH.issuerChanged,
        evidence: [
          {
            source: 'change',
            ref: issuer.ref,
            text: `${issuer.ref.kind} ${issuer.ref.name} changed at ${changed.at}, after Certificate ${certificateRef.name} was last issued (${changed.issued}); issuing it has failed since (${changed.failed})`,
            at: changed.at,
          },
          ...(certificateDown ? [statusOf(certificateRef, certificateDown)] : []),
          ...requestFailures(snapshot, certificate),
        ],
        changedAt: changed.at,
      };
    }
    if (certificateDown) {
      return {
        entity: certificateRef,
        strength: STRENGTH.notReady,
        evidence: [statusOf(certificateRef, certificateDown)],
        ...(certificateDown.lastTransitionTime ? { changedAt: certificateDown.lastTransitionTime } : {}),
      };
    }
    if (untrusted) return { entity: issuer.ref, strength: STRENGTH.rejected, evidence: [] };
    return { entity: certificateRef, strength: STRENGTH.rejected, evidence: [] };
  }
  const annotations = secret?.metadata?.annotations ?? {};
  const issuerKind = annotations[ISSUER_KIND] ?? 'Issuer';
  const entity: EntityRef =
    untrusted && annotations[ISSUER_NAME]
      ? { kind: issuerKind, ...(issuerKind === 'ClusterIssuer' ? {} : { namespace }), name: annotations[ISSUER_NAME] }
      : annotations[CERTIFICATE_NAME]
        ? { kind: 'Certificate', namespace, name: annotations[CERTIFICATE_NAME] }
        : secretRef;
  const changedAt = lastChange(secret?.metadata);
  return { entity, strength: STRENGTH.rejected, evidence: [], ...(changedAt ? { changedAt } : {}) };
}

/**
 * The issuer a Certificate names changed after the Certificate was last issued, and issuing it has failed since: every
 * request cert-manager makes for it goes through that issuer, so a change to how the issuer signs (a path, a solver, a
 * server) fails them all while its own Ready condition, which only checks that it can reach its authority, stays True.
 * The Certificate expires as a victim.
 */
function issuerChangedBeforeFailure(
  issuer: Issuer | undefined,
  certificate: Certificate,
): { at: string; issued: string; failed: string } | undefined {
  const at = lastChange(issuer?.metadata);
  const issued = certificate.status?.notBefore;
  const failed = certificate.status?.lastFailureTime;
  const [changedMs, issuedMs, failedMs] = [toMs(at), toMs(issued), toMs(failed)];
  if (changedMs === undefined || issuedMs === undefined || failedMs === undefined) return undefined;
  return changedMs > issuedMs && changedMs <= failedMs
    ? { at: at as string, issued: issued as string, failed: failed as string }
    : undefined;
}

/** Warning events about the Certificate's issuance requests (named after it): what the issuer answered them. */
function requestFailures(snapshot: ClusterSnapshot, certificate: Certificate): Evidence[] {
  const name = certificate.metadata?.name ?? '';
  const namespace = certificate.metadata?.namespace;
  return snapshot.events
    .filter(
      (event) =>
        event.type === 'Warning' &&
        event.involvedObject?.namespace === namespace &&
        (event.involvedObject?.name ?? '').startsWith(`${name}-`),
    )
    .slice(-2)
    .map(eventEvidence);
}

/**
 * The server was not read (it runs in a namespace the investigation did not read, or no Service names it): the
 * cert-manager Certificates issued for the hosts the failing client calls, or whose expiry its errors quote, wherever
 * they live — the certificate the client rejects is one of them.
 */
function certificatesCalled(
  snapshot: ClusterSnapshot,
  graph: EvidenceGraph,
  client: EntityRef,
  lines: { text: string }[],
): { server?: EntityRef; served: Served }[] {
  const secrets = graph
    .referencesOf(client)
    .filter((reference) => reference.target.kind === 'Secret')
    .flatMap((reference) => (configObject(snapshot, reference.target) as SecretShape | undefined) ?? []);
  const texts = lines.map((line) => line.text);
  const hosts = calledHosts(graph.podSpecOf(client), secrets, texts);
  return certificatesPresentedTo(snapshot.certificates, hosts, client.namespace ?? '', texts).map((certificate) => ({
    served: {
      secretRef: {
        kind: 'Secret',
        namespace: certificate.metadata?.namespace ?? '',
        name: certificate.spec?.secretName ?? certificate.metadata?.name ?? '',
      },
      certificate,
    },
  }));
}

/** How sure a finding is (the scale: detectors/detector.ts). */
const STRENGTH = {
  /** cert-manager's own status says the issuer or the certificate is not Ready. */
  notReady: 0.9,
  /** The issuer changed between the Certificate's last issuance and its failing renewals. */
  issuerChanged: 0.88,
  /** Clients reject the served certificate; the chain (annotations, issuer) says where it comes from. */
  rejected: 0.85,
} as const;

/**
 * TLS verification fails (an expired certificate, one signed by an authority the client does not trust, one for other
 * names): the fault is the certificate the server presents. It is found through the Service the failing call names
 * (or the failing pod's own, for a server that cannot load it), then where it comes from: cert-manager's Certificate
 * and issuer, by their status when cert-manager is served, else by the TLS Secret's annotations. The catalogue has no
 * type: other.
 */
export const tlsCertificate: Detector = {
  id: 'tls-certificate',
  faultTypes: ['other'],
  detect(snapshot, graph, alert) {
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
      // No Service named: the certificates issued for what the failing pods call, else their own (a server that
      // cannot load or serve its certificate).
      const called = servers.size === 0 ? certificatesCalled(snapshot, graph, workload.ref, lines) : [];
      if (servers.size === 0 && called.length === 0) servers.set(refKey(workload.ref), workload.ref);
      const untrusted = lines.some((line) => UNTRUSTED.test(line.text));
      const presented: { server?: EntityRef; served: Served }[] = [
        ...called,
        ...[...servers.values()].flatMap((server) =>
          servedCertificates(snapshot, graph, server).map((served) => ({ server, served })),
        ),
      ];
      for (const { server, served } of presented) {
        const { entity, strength, evidence, changedAt } = culprit(snapshot, served, untrusted);
        const key = refKey(entity);
        const existing = findings.get(key);
        if (existing) {
          seenAgain(existing, workload.ref);
          continue;
        }
        const { certificate, secretRef } = served;
        const issuer = certificate?.spec?.issuerRef;
        const annotations = served.secret?.metadata?.annotations ?? {};
        const issuedBy = certificate
          ? `, kept by Certificate ${certificate.metadata?.name} from ${issuer?.kind ?? 'Issuer'} ${issuer?.name ?? '?'}`
          : annotations[CERTIFICATE_NAME]
            ? `, issued for Certificate ${annotations[CERTIFICATE_NAME]} by ${annotations[ISSUER_KIND] ?? 'Issuer'} ${annotations[ISSUER_NAME] ?? '?'}`
            : '';
        const presenter = server ? `${server.kind} ${server.name}'s certificate` : `the certificate ${secretRef.name}`;
        findings.set(
          key,
          finding(tlsCertificate, {
            entity,
            affects: server ? [workload.ref, server] : [workload.ref],
            strength,
            summary: `${entity.kind} ${entity.name}: TLS verification of ${presenter} fails${untrusted ? ' (an authority the client does not trust)' : ''}${evidence[0] ? ` — ${evidence[0].text.slice(0, 200)}` : ''} — "${lines[0]?.text.slice(0, 160)}"`,
            evidence: [
              ...evidence,
              ...lines.map(logEvidence),
              {
                source: 'spec',
                ref: secretRef,
                text: server
                  ? `${server.kind} ${server.name} serves the certificate of TLS Secret ${secretRef.name}${issuedBy}`
                  : `Certificate ${certificate?.metadata?.name} (TLS Secret ${secretRef.name} in ${secretRef.namespace}${issuedBy}) is issued for ${(certificate?.spec?.dnsNames ?? []).slice(0, 3).join(', ')}, which ${workload.ref.name} calls`,
              },
            ],
            ...(changedAt ? { changedAt } : {}),
          }),
        );
      }
    }
    if (alert && TLS_ERROR.test(alert.text)) probedFindings(snapshot, alert.text, findings);
    return [...findings.values()];
  },
};

/**
 * The alert's own check (a synthetic probe, a person's report) rejects the certificate served for a host it names:
 * each such certificate's fault, where cert-manager says something is wrong with it — words alone never make a
 * certificate the fault. Added to `findings`, after what the clients' logs showed.
 */
function probedFindings(snapshot: ClusterSnapshot, text: string, findings: Map<string, Finding>): void {
  for (const { served, host, path } of certificatesProbed(snapshot, text)) {
    const { entity, strength, evidence, changedAt } = culprit(snapshot, served, UNTRUSTED.test(text));
    if (evidence.length === 0 || findings.has(refKey(entity))) continue;
    const issuer = served.certificate?.spec?.issuerRef;
    findings.set(
      refKey(entity),
      finding(tlsCertificate, {
        entity,
        affects: path,
        strength,
        summary: `${entity.kind} ${entity.name}: the alert's own check rejects the certificate served for ${host} — ${evidence[0]?.text.slice(0, 200)}`,
        evidence: [
          ...evidence,
          {
            source: 'spec',
            ref: served.secretRef,
            text: `Certificate ${served.certificate?.metadata?.name} (TLS Secret ${served.secretRef.name}, from ${issuer?.kind ?? 'Issuer'} ${issuer?.name ?? '?'}) is issued for ${host}, which the alert checks`,
          },
        ],
        ...(changedAt ? { changedAt } : {}),
      }),
    );
  }
}

/**
 * The alert is itself the client that rejects the certificate (a synthetic probe, a user's report): the cert-manager
 * Certificates issued for a host it names, with the routes and Services that serve that host — the symptom's path.
 */
function certificatesProbed(
  snapshot: ClusterSnapshot,
  text: string,
): { served: Served; host: string; path: EntityRef[] }[] {
  const hosts = [...new Set(mentionedHosts(text).map((mention) => mention.host))];
  return hosts.flatMap((host) => {
    const routes = claimantsOf(snapshot.customObjects, host);
    const services = snapshot.services.filter((service) =>
      routes.some((route) =>
        routesToService(route, { name: service.metadata?.name ?? '', namespace: service.metadata?.namespace ?? '' }),
      ),
    );
    const serving = [
      ...routes.map((route) => refOf(route.kind, route.metadata)),
      ...services.map((service) => refOf('Service', service.metadata)),
    ];
    return certificatesPresentedTo(snapshot.certificates, [host], '', [text]).map((certificate) => {
      const namespace = certificate.metadata?.namespace ?? '';
      const name = certificate.spec?.secretName ?? certificate.metadata?.name ?? '';
      return {
        host,
        served: { secretRef: { kind: 'Secret', namespace, name }, certificate },
        path: [refOf('Certificate', certificate.metadata), ...serving],
      };
    });
  });
}
