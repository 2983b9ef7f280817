import type { CustomObject } from '../evidence/custom-object.ts';
import type { EvidenceGraph } from '../evidence/graph.ts';
import { refOf } from '../evidence/graph.ts';
import {
  accountOf,
  bindsIdentity,
  EXCHANGE_REFUSAL,
  identityKind,
  type Principal,
  principalsOf,
  refusedForIdentity,
} from '../evidence/identity-chain.ts';
import { lastDistinct, logEvidence, logLinesOf, type PodLogLine } from '../evidence/logs.ts';
import type { ClusterSnapshot } from '../evidence/snapshot.ts';
import { lastChange, toMs } from '../evidence/time.ts';
import type { EntityRef, Evidence, Finding } from '../model.ts';
import { refKey } from '../model.ts';
import { type Detector, finding } from './detector.ts';
import { changedBeforeOnset, symptomOnset, type Onset } from '../evidence/onset.ts';

type ServiceAccount = ClusterSnapshot['serviceAccounts'][number];

/** How sure a finding is (the scale: detectors/detector.ts). */
const STRENGTH = {
  /** The link changed shortly before, and the refusals say the identity it gives or grants is refused: shown and stated. */
  changed: 0.88,
  /**
   * Nothing changed shortly before, but the account names a principal that another account names too (a copied
   * value), or one that none of the grants read mentions while they mention its neighbours': the spec shows it.
   */
  mismatched: 0.8,
  /**
   * A grant named for the refused account changed shortly before and no longer names it or its principal: the edit
   * points its grant elsewhere, though the link between them is read from its name.
   */
  namesake: 0.82,
  /**
   * Nothing read shows the link wrong, but the provider refuses the very exchange of the account's token for the
   * principal it names: the spec is where it goes wrong, though nothing read shows how.
   */
  unrecognised: 0.75,
} as const;

/** A workload whose pods log calls refused for their identity, the account they run as, and those lines. */
interface Refused {
  workload: EntityRef;
  account: ServiceAccount;
  principals: Principal[];
  lines: PodLogLine[];
}

/** A link of the chain judged at fault, and why. */
interface Culprit {
  entity: EntityRef;
  strength: number;
  why: string;
  changedAt?: string;
}

/**
 * A workload's calls to a cloud or identity provider are refused for who it is: its pods act as the principal their
 * ServiceAccount's annotations name, which a binding (a policy member, a federated credential, a role assignment)
 * grants its access or lets the account act as. The link that is wrong is the culprit: a grant naming that principal
 * (or the account as its subject) changed shortly before; else the account's own annotation changed shortly before,
 * names a principal another account names too, or names one that no grant read mentions while the grants mention the
 * principals of its neighbours. The refused workload, and whatever scales it for the backlog, are victims. The
 * catalogue has no type for it: other.
 */
export const identityBinding: Detector = {
  id: 'identity-binding',
  faultTypes: ['other'],
  detect(snapshot, graph, alert) {
    if (snapshot.serviceAccounts.length === 0) return [];
    const onset = symptomOnset(snapshot, alert?.startsAt);
    const findings = new Map<string, Finding>();
    for (const refused of refusedWorkloads(snapshot, graph)) {
      // Of the links changed shortly before, the latest; with none, what the specs show.
      const changed = [
        changedGrant(snapshot, refused, onset),
        changedNamesake(snapshot, refused, onset),
        changedAccount(snapshot, refused, onset),
      ]
        .filter((link) => link !== undefined)
        .sort((a, b) => (toMs(b.changedAt) ?? 0) - (toMs(a.changedAt) ?? 0));
      const culprit = changed[0] ?? mismatchedAccount(snapshot, refused) ?? unrecognisedAccount(refused);
      if (!culprit) continue;
      const key = refKey(culprit.entity);
      const existing = findings.get(key);
      if (existing) {
        existing.affects.push(refused.workload);
        continue;
      }
      const evidence: Evidence[] = [
        ...lastDistinct(refused.lines, refusedForIdentity).map(logEvidence),
        { source: culprit.changedAt ? 'change' : 'spec', ref: culprit.entity, text: culprit.why },
      ];
      findings.set(
        key,
        finding(identityBinding, {
          entity: culprit.entity,
          affects: [refused.workload],
          strength: culprit.strength,
          summary: `${refused.workload.kind} ${refused.workload.name}'s calls are refused for the identity it acts as (ServiceAccount ${refused.account.metadata?.name}, ${refused.principals.map((p) => p.value).join(', ')}): ${culprit.why}`,
          evidence,
          ...(culprit.changedAt ? { changedAt: culprit.changedAt } : {}),
        }),
      );
    }
    return [...findings.values()];
  },
};

/** Workloads whose pods (any container: the application, or a proxy beside it) log identity refusals. */
function refusedWorkloads(snapshot: ClusterSnapshot, graph: EvidenceGraph): Refused[] {
  const byWorkload = new Map<string, Refused>();
  for (const log of snapshot.logs) {
    const pod = graph.pod(log.namespace, log.pod);
    if (!pod) continue;
    const lines = logLinesOf(snapshot, log.namespace, [log.pod], (l) => l === log).filter((line) =>
      refusedForIdentity(line.text),
    );
    if (lines.length === 0) continue;
    const account = snapshot.serviceAccounts.find(
      (a) => a.metadata?.namespace === log.namespace && a.metadata?.name === accountOf(pod),
    );
    const principals = principalsOf(account);
    if (!account || principals.length === 0) continue;
    const workload = graph.workloadOf(pod);
    const held = byWorkload.get(refKey(workload)) ?? { workload, account, principals, lines: [] };
    held.lines.push(...lines);
    byWorkload.set(refKey(workload), held);
  }
  return [...byWorkload.values()];
}

/** The grant naming the refused identity that changed last, shortly before, and after the account itself. */
function changedGrant(snapshot: ClusterSnapshot, refused: Refused, onset: Onset): Culprit | undefined {
  const accountChanged = toMs(lastChange(refused.account.metadata)) ?? 0;
  const grant = grantsOf(snapshot.customObjects, refused)
    .map((object) => ({ object, at: lastChange(object.metadata) }))
    .filter(({ at }) => changedBeforeOnset(at, onset) && (toMs(at) ?? 0) > accountChanged)
    .sort((a, b) => (toMs(b.at) ?? 0) - (toMs(a.at) ?? 0))[0];
  if (!grant) return undefined;
  const { object, at } = grant;
  return {
    entity: refOf(object.kind, object.metadata),
    strength: STRENGTH.changed,
    why: `${object.kind} ${object.metadata?.name}, which grants that identity (${grantedSummary(object)}), changed at ${at}`,
    ...(at ? { changedAt: at } : {}),
  };
}

/**
 * A grant of identity kinds named after the refused account or workload (`<account>-…`), changed shortly before, that
 * no longer names the principal or the account it is named for (a member or subject edited to another): the grant
 * meant for it grants someone else.
 */
function changedNamesake(snapshot: ClusterSnapshot, refused: Refused, onset: Onset): Culprit | undefined {
  const names = [refused.account.metadata?.name ?? '', refused.workload.name].filter((name) => name.length >= MIN_NAME);
  const namesake = snapshot.customObjects
    .filter((object) => identityKind(object) && !bindsIdentity(object, refused.principals, refused.account))
    .filter((object) => names.some((name) => namedAfter(object.metadata?.name ?? '', name)))
    .map((object) => ({ object, at: lastChange(object.metadata) }))
    .filter(({ at }) => changedBeforeOnset(at, onset))
    .sort((a, b) => (toMs(b.at) ?? 0) - (toMs(a.at) ?? 0))[0];
  if (!namesake) return undefined;
  const { object, at } = namesake;
  return {
    entity: refOf(object.kind, object.metadata),
    strength: STRENGTH.namesake,
    why: `${object.kind} ${object.metadata?.name}, named for it, changed at ${at} and no longer names ${refused.principals.map((p) => p.value).join(', ')} nor ServiceAccount ${refused.account.metadata?.namespace}/${refused.account.metadata?.name} (${grantedSummary(object)})`,
    ...(at ? { changedAt: at } : {}),
  };
}

/** Names shorter than this match other objects' names by chance. */
const MIN_NAME = 4;

/** Whether an object's name is another's followed by a suffix, or is it (`invoice-api-db-client` for `invoice-api`). */
const namedAfter = (objectName: string, name: string): boolean =>
  objectName === name || objectName.startsWith(`${name}-`) || objectName.startsWith(`${name}.`);

/** The account whose identity annotation changed shortly before. */
function changedAccount(snapshot: ClusterSnapshot, refused: Refused, onset: Onset): Culprit | undefined {
  const at = lastChange(refused.account.metadata);
  if (!changedBeforeOnset(at, onset)) return undefined;
  const name = refused.account.metadata?.name;
  const sharer = sharerOf(snapshot, refused);
  return {
    entity: refOf('ServiceAccount', refused.account.metadata),
    strength: STRENGTH.changed,
    why: `ServiceAccount ${name} changed at ${at}: its pods act as ${refused.principals.map((p) => `${p.value} (${p.key})`).join(', ')}, which is refused${sharer ? ` (ServiceAccount ${sharer.metadata?.name} names it too)` : ''}`,
    ...(at ? { changedAt: at } : {}),
  };
}

/**
 * The account names a principal another account names too (one copied from a neighbour), or one no grant read
 * mentions while grants of the same kinds mention its neighbours' principals.
 */
function mismatchedAccount(snapshot: ClusterSnapshot, refused: Refused): Culprit | undefined {
  const name = refused.account.metadata?.name;
  const entity = refOf('ServiceAccount', refused.account.metadata);
  const others = otherAccounts(snapshot, refused);
  const values = new Set(refused.principals.map((p) => p.value));
  const sharer = sharerOf(snapshot, refused);
  if (sharer)
    return {
      entity,
      strength: STRENGTH.mismatched,
      why: `ServiceAccount ${name} names the same principal as ServiceAccount ${sharer.metadata?.name} (${[...values].join(', ')}): one was copied from the other`,
    };
  const grants = snapshot.customObjects.filter((object) =>
    others.some((a) => principalsOf(a).length > 0 && bindsIdentity(object, principalsOf(a), a)),
  );
  if (grants.length === 0 || grantsOf(snapshot.customObjects, refused).length > 0) return undefined;
  const kinds = [...new Set(grants.map((g) => g.kind))].join(', ');
  return {
    entity,
    strength: STRENGTH.mismatched,
    why: `ServiceAccount ${name} names ${[...values].join(', ')}, which no ${kinds} grants anything, while they grant its neighbours' identities`,
  };
}

/**
 * Nothing read changed or disagrees, but the provider refuses the exchange itself (no such identity, no trust for the
 * account's token): the account's annotation is the link of it the cluster holds, and where the fix goes.
 */
function unrecognisedAccount(refused: Refused): Culprit | undefined {
  const line = refused.lines.find((l) => EXCHANGE_REFUSAL.test(l.text));
  if (!line) return undefined;
  const name = refused.account.metadata?.name;
  return {
    entity: refOf('ServiceAccount', refused.account.metadata),
    strength: STRENGTH.unrecognised,
    why: `the identity provider does not let ServiceAccount ${name} act as ${refused.principals.map((p) => `${p.value} (${p.key})`).join(', ')}, and no grant read says otherwise: the annotation names an identity the provider does not accept for it`,
  };
}

/** The accounts read other than the refused workload's. */
const otherAccounts = (snapshot: ClusterSnapshot, refused: Refused): ServiceAccount[] =>
  snapshot.serviceAccounts.filter(
    (a) =>
      a.metadata?.name !== refused.account.metadata?.name ||
      a.metadata?.namespace !== refused.account.metadata?.namespace,
  );

/** Another account that names a principal the refused account names. */
function sharerOf(snapshot: ClusterSnapshot, refused: Refused): ServiceAccount | undefined {
  const values = new Set(refused.principals.map((p) => p.value));
  return otherAccounts(snapshot, refused).find((a) => principalsOf(a).some((p) => values.has(p.value)));
}

/** The custom objects that name the refused principal or the account as their subject. */
const grantsOf = (objects: readonly CustomObject[], refused: Refused): CustomObject[] =>
  objects.filter((object) => bindsIdentity(object, refused.principals, refused.account));

/** What a grant says it grants, in its own words (a role, a member, a subject), briefly. */
function grantedSummary(object: CustomObject): string {
  const spec = (object.spec ?? {}) as Record<string, unknown>;
  const said = ['role', 'member', 'subject', 'issuer', 'permissions']
    .filter((key) => typeof spec[key] === 'string')
    .map((key) => `${key} ${spec[key] as string}`);
  return said.length > 0 ? said.join(', ') : 'its spec names it';
}
