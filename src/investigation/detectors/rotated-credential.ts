import { changeEvidence } from '../evidence/config-change.ts';
import { refOf } from '../evidence/graph.ts';
import { logEvidence } from '../evidence/logs.ts';
import { clientLoginSecret, refusedClients, rotatedServerSecret } from '../evidence/server-credentials.ts';
import type { Finding } from '../model.ts';
import { refKey } from '../model.ts';
import { type Detector, finding, seenAgain } from './detector.ts';

/** How sure a finding is (the scale: detectors/detector.ts). */
const STRENGTH = {
  /** The client's copy is singled out (the one Secret of its holding a password): stale since the rotation. */
  staleCopy: 0.8,
  /** The client's copy is not singled out: the rotation itself is the change to look at. */
  rotated: 0.7,
} as const;

/**
 * A server's credential rotated under its clients (evidence/server-credentials.ts): the server's own Secret changed
 * shortly before, the clients' Secrets did not, and their logins are refused. The client's Secret holding the login is
 * the one with the wrong value (it still holds the old password); when it cannot be singled out, the rotated Secret.
 */
export const rotatedCredential: Detector = {
  id: 'rotated-credential',
  faultTypes: ['bad-secret-value'],
  detect(snapshot, graph) {
    const findings = new Map<string, Finding>();
    for (const { client, lines, servers } of refusedClients(snapshot, graph)) {
      for (const server of servers) {
        const rotated = rotatedServerSecret(snapshot, graph, server);
        if (!rotated) continue;
        const rotatedRef = refOf('Secret', rotated.secret.metadata);
        const stale = clientLoginSecret(snapshot, graph, client);
        const entity = stale ?? rotatedRef;
        const existing = findings.get(refKey(entity));
        if (existing) {
          seenAgain(existing, client);
          continue;
        }
        const refused = `"${lines[0]?.text.slice(0, 140)}"`;
        findings.set(
          refKey(entity),
          finding(rotatedCredential, {
            entity,
            affects: [client],
            strength: stale ? STRENGTH.staleCopy : STRENGTH.rotated,
            summary: stale
              ? `Secret ${stale.name} (read by ${client.name}) still holds the credential from before Secret ${rotatedRef.name} of ${server.name} changed at ${rotated.changedAt}: ${server.name} refuses it — ${refused}`
              : `Secret ${rotatedRef.name} of ${server.name} changed at ${rotated.changedAt} and ${client.name}'s logins are refused since — ${refused}`,
            evidence: [
              changeEvidence(rotatedRef, rotated.changedAt),
              ...(stale
                ? [
                    {
                      source: 'graph' as const,
                      ref: stale,
                      text: `${client.name} logs in with Secret ${stale.name}, which did not change since`,
                    },
                  ]
                : []),
              ...lines.map(logEvidence),
            ],
            changedAt: rotated.changedAt,
          }),
        );
      }
    }
    return [...findings.values()];
  },
};
