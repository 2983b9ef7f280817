import { namesIdentifier } from './config-mentions.ts';
import { namespacesNamedIn, servicesNamedIn } from './peer-namespaces.ts';
import type { ClusterSnapshot } from './snapshot.ts';

/** Stems of the words of a text (four letters or more, split at anything not a letter: `fga_api_url`, `authz:`). */
const stems = (text: string): Set<string> =>
  new Set((text.toLowerCase().match(/[a-z]{4,}/g) ?? []).map((word) => word.slice(0, 4)));

/**
 * The other namespaces the hosts of configuration files name (a ConfigMap's `config.yaml`), those whose entry the
 * errors speak of first. A host's line and the two above it (its keys: `authz:` / `fga_api_url: http://openfga.authz.svc:8080`)
 * say what the dependency is for; an error that shares a word stem with them ("authorization check failed") fails on
 * that one, not on the database named a few lines higher. Namespaces no error speaks of keep the files' order.
 */
export function configHostNamespaces(texts: string[], namespace: string, errors: string[]): string[] {
  const spoken = stems(errors.join('\n'));
  const scored = new Map<string, number>();
  for (const text of texts) {
    const lines = text.split('\n');
    lines.forEach((line, index) => {
      for (const peer of namespacesNamedIn([line], namespace)) {
        const context = stems(lines.slice(Math.max(0, index - 2), index + 1).join('\n'));
        const score = [...context].filter((stem) => spoken.has(stem)).length;
        scored.set(peer, Math.max(scored.get(peer) ?? 0, score));
      }
    });
  }
  return [...scored.entries()].sort((a, b) => b[1] - a[1]).map(([peer]) => peer);
}

/**
 * The other namespaces whose Services the errors name by their bare name (`upstream "checkout" responded 500`), where
 * configuration texts of the namespace no pod template references (settings an application loads itself) say they
 * live (`CHECKOUT_URL: http://checkout.shop-core.svc:8080`): where the failing call goes. Only a Service the errors
 * name counts, so a file of addresses leads nowhere by itself.
 */
export function calledHostNamespaces(texts: string[], namespace: string, errors: string[]): string[] {
  const called = servicesNamedIn(texts, namespace).filter((service) =>
    errors.some((error) => namesIdentifier(error, service.name)),
  );
  return [...new Set(called.map((service) => service.namespace))];
}

/** The values of the namespace's ConfigMaps (those `keep` keeps): settings files, where addresses of callees stand. */
export function configMapTexts(
  snapshot: Pick<ClusterSnapshot, 'configMaps'>,
  namespace: string,
  keep: (name: string) => boolean = () => true,
): string[] {
  return snapshot.configMaps
    .filter((map) => map.metadata?.namespace === namespace && keep(map.metadata?.name ?? ''))
    .flatMap((map) => Object.values(map.data ?? {}));
}
