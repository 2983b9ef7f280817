import { wordsOf } from './word-stem.ts';
/**
 * Cloud load-balancer controllers name what they create for a Service after the Service, cut to fit the provider's
 * limits: the AWS Load Balancer Controller's target groups and load balancers `k8s-<namespace>-<name>-<hash>`, each
 * part stripped of non-alphanumerics and cut to 8 characters; GKE's network endpoint groups
 * `k8s1-<cluster id>-<namespace>-<name>-<port>-<hash>`, parts cut short when long; the in-tree AWS provider's classic
 * load balancer `a<the Service's uid without dashes>`, cut to 32 characters. An alert from the cloud's own metrics
 * (CloudWatch, Cloud Monitoring) carries only that name: the Services of the cluster decode it.
 */

export interface ServiceIdentity {
  namespace: string;
  name: string;
  uid?: string;
  /** The Service's type: a cloud load balancer is made for a `LoadBalancer` Service, or fronts a `NodePort` one. */
  type?: string;
}

/** How directly a cloud load balancer serves a Service of each type (more is more direct). */
const EXPOSURE: Record<string, number> = { LoadBalancer: 2, NodePort: 1 };
const exposure = (service: ServiceIdentity): number => EXPOSURE[service.type ?? ''] ?? 0;

const alphanumeric = (value: string): string => value.toLowerCase().replace(/[^a-z0-9]/g, '');

/** Shortest cut of a name still taken as naming it (controllers cut to 8; fewer letters name too much). */
const SHORTEST_CUT = 4;

/** Whether `part` is `full`, or `full` cut short (at least SHORTEST_CUT characters). */
const cutOf = (part: string, full: string): boolean =>
  part === full || (part.length >= SHORTEST_CUT && full.length > part.length && full.startsWith(part));

/** A classic load balancer's name: `a` and the first 31 hex digits of the Service's uid. */
const CLASSIC_ELB = /^a[0-9a-f]{31}$/;

/**
 * The Service a cloud-made name encodes: the one whose uid it carries (classic ELB), else the one whose namespace and
 * name, each whole or cut short, it carries next to each other (separators ignored). Whole parts outweigh cut ones;
 * names cut alike (`quay-crane` and `quay-crane-edge` both give `quaycran`) go to the Service a cloud load
 * balancer serves directly (type LoadBalancer, then NodePort); undefined when no Service fits, or when two fit equally.
 */
export function serviceInCloudName<S extends ServiceIdentity>(value: string, services: S[]): S | undefined {
  const tokens = wordsOf(value);
  const byUid = tokens.find((token) => CLASSIC_ELB.test(token));
  if (byUid) {
    const owners = services.filter((service) => service.uid && `a${alphanumeric(service.uid)}`.startsWith(byUid));
    return owners.length === 1 ? owners[0] : undefined;
  }
  const scored = services
    .map((service) => ({
      service,
      score: pairScore(tokens, alphanumeric(service.namespace), alphanumeric(service.name)),
    }))
    .filter(({ score }) => score > 0)
    .sort((a, b) => b.score - a.score || exposure(b.service) - exposure(a.service));
  const [first, second] = scored;
  if (!first) return undefined;
  if (second && second.score === first.score && exposure(second.service) === exposure(first.service)) return undefined;
  return first.service;
}

/**
 * How well runs of tokens spell the namespace then the name, next to each other: 0 when they do not; more for whole
 * parts than for cut ones, and for longer spellings.
 */
function pairScore(tokens: string[], namespace: string, name: string): number {
  let best = 0;
  for (let start = 0; start < tokens.length; start++) {
    for (let middle = start + 1; middle < tokens.length; middle++) {
      const left = tokens.slice(start, middle).join('');
      if (!cutOf(left, namespace)) continue;
      for (let end = middle + 1; end <= tokens.length; end++) {
        const right = tokens.slice(middle, end).join('');
        if (!cutOf(right, name)) continue;
        const whole = Number(left === namespace) + Number(right === name);
        best = Math.max(best, 1 + whole * 100 + left.length + right.length);
      }
    }
  }
  return best;
}

/**
 * Label values that look made by a cloud controller rather than written by a person: a trailing hash (`-5e1c7a2b9d`,
 * hex digits with at least one digit and one letter) after at least two names, or a classic load balancer's name.
 */
export function cloudMadeValues(labels: Record<string, string>, ignored: ReadonlySet<string>): string[] {
  return Object.entries(labels)
    .filter(([label]) => !ignored.has(label))
    .map(([, value]) => value.trim())
    .filter((value) => {
      const tokens = wordsOf(value);
      const last = tokens.at(-1) ?? '';
      const hashed = tokens.length >= 3 && /^[0-9a-f]{6,}$/.test(last) && /\d/.test(last) && /[a-f]/.test(last);
      return hashed || tokens.some((token) => CLASSIC_ELB.test(token));
    });
}
