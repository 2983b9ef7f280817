import { changeEvidence } from '../evidence/config-change.ts';
import type { CustomObject } from '../evidence/custom-object.ts';
import { refOf } from '../evidence/graph.ts';
import { claimantsOf, statusComplaint } from '../evidence/host-claims.ts';
import { looksClusterInternal } from '../evidence/hosts.ts';
import { mentionedHosts } from '../evidence/ingress-routes.ts';
import { routesToService } from '../evidence/route-kinds.ts';
import { lastChange } from '../evidence/time.ts';
import { EVIDENCE_TEXT_LIMIT, type EntityRef, type Finding, refKey } from '../model.ts';
import { type Detector, finding } from './detector.ts';
import { CHANGE_WINDOW, changedBeforeOnset, symptomOnset } from '../evidence/onset.ts';

/** How sure a finding is (the scale: detectors/detector.ts). */
const STRENGTH = {
  /** The newest claim of a host others served, and its router reports it in error: the claim broke the host. */
  refused: 0.8,
  /** The newest claim of a host others served: it takes (or shares) their requests. Circumstantial, above a lead. */
  claimed: 0.65,
} as const;

// A claim made longer before the onset than this stood without harm.
const NEAR = CHANGE_WINDOW;

/**
 * The alert names a host users reach, and a router route claiming that host was made or changed shortly before while
 * the other routes claiming it stood unchanged: the router merges every claim of a host into one virtual host, so the
 * new claim acts on all of its requests — it takes their paths (a wider prefix, a higher precedence) or makes the
 * host invalid for all (a duplicate) — whatever Service or namespace it names. The older routes and what they route
 * to are victims. The catalogue has no type for it: other.
 */
export const hostClaim: Detector = {
  id: 'host-claim',
  faultTypes: ['other'],
  detect(snapshot, _graph, alert) {
    if (!alert || snapshot.customObjects.length === 0) return [];
    const hosts = [...new Set(mentionedHosts(alert.text).map((m) => m.host))].filter((h) => !looksClusterInternal(h));
    // Recent or standing by the alert's onset: the snapshot may be read hours after it.
    const onset = symptomOnset(snapshot, alert.startsAt);
    const findings = new Map<string, Finding>();
    for (const host of hosts) {
      const claimants = claimantsOf(snapshot.customObjects, host);
      const recent = (route: CustomObject) => changedBeforeOnset(lastChange(route.metadata), onset, NEAR);
      const fresh = claimants.filter(recent);
      const standing = claimants.filter((route) => !recent(route));
      if (fresh.length === 0 || standing.length === 0) continue;
      for (const route of fresh) {
        const entity = refOf(route.kind, route.metadata);
        if (findings.has(refKey(entity))) continue;
        findings.set(refKey(entity), claimFinding(snapshot, route, entity, host, standing));
      }
    }
    return [...findings.values()];
  },
};

function claimFinding(
  snapshot: Parameters<Detector['detect']>[0],
  route: CustomObject,
  entity: EntityRef,
  host: string,
  standing: CustomObject[],
): Finding {
  const changedAt = lastChange(route.metadata) as string;
  const complaint = statusComplaint(route);
  const served = snapshot.services.filter((service) =>
    standing.some((other) =>
      routesToService(other, { name: service.metadata?.name ?? '', namespace: service.metadata?.namespace ?? '' }),
    ),
  );
  const others = standing.map((other) => refOf(other.kind, other.metadata));
  const names = others.map((o) => `${o.namespace}/${o.name}`).join(', ');
  return finding(hostClaim, {
    entity,
    affects: [...others, ...served.map((service) => refOf('Service', service.metadata))],
    strength: complaint ? STRENGTH.refused : STRENGTH.claimed,
    summary: `${route.kind} ${entity.namespace}/${entity.name}, made or changed at ${changedAt}, claims host ${host}, which ${route.kind} ${names} already served unchanged: its router applies the new claim to every request for the host${complaint ? `, and reports it in error (${complaint.slice(0, 160)})` : ''}. To confirm: compare its host, paths and precedence with the others', and remove or narrow it`,
    evidence: [
      changeEvidence(entity, changedAt, 'made or last changed'),
      ...(complaint
        ? [
            {
              source: 'status' as const,
              ref: entity,
              text: `${route.kind} ${entity.name}: ${complaint}`.slice(0, EVIDENCE_TEXT_LIMIT),
            },
          ]
        : []),
      {
        source: 'spec' as const,
        ref: entity,
        text: `${route.kind} ${entity.name} claims host ${host}, as ${names} do`,
      },
    ],
    changedAt,
  });
}
