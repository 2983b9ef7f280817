import { wordsOf } from './word-stem.ts';
/**
 * Names inside a router's id for its backend, whatever the router's spelling. Each router joins a Service's name,
 * its namespace and its port with its own separators (Emissary `cluster_<service>_<namespace>_<port>` with every `-`
 * turned to `_`, Istio `outbound|<port>||<service>.<namespace>.svc…`, Contour `<namespace>/<service>/<port>/<hash>`,
 * Traefik `<namespace>-<route>-<service>-<port>@<provider>`), so a name is found as a run of its words among the id's
 * words, separators ignored.
 */

/** Every index where the words of `name` occur in a row among `words`. */
export function wordRuns(words: string[], name: string): number[] {
  const wanted = wordsOf(name);
  if (wanted.length === 0) return [];
  const found: number[] = [];
  for (let at = 0; at + wanted.length <= words.length; at++) {
    if (wanted.every((word, offset) => words[at + offset] === word)) found.push(at);
  }
  return found;
}

/**
 * The Service among `services` (of `namespace`) that the id names, separators ignored: the one with most words whose
 * words occur in a row in the id (a Service named like its namespace only when the id carries that name twice);
 * undefined when none does.
 */
export function serviceInId(id: string, namespace: string, services: string[]): string | undefined {
  const words = wordsOf(id);
  const named = services.filter((service) => {
    const runs = wordRuns(words, service).length;
    return wordsOf(service).join('-') === wordsOf(namespace).join('-') ? runs > 1 : runs > 0;
  });
  return named.sort((a, b) => wordsOf(b).length - wordsOf(a).length)[0];
}
