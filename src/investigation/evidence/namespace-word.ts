import { mentionedNames, occursAsWord } from '../focus.ts';

/**
 * A namespace's name written in the alert's prose is weak evidence on its own: people name products and guesses
 * ("RabbitMQ alarm was mentioned", "did someone rotate the Aerospike credentials?"), and an operator's namespace is
 * often called after its product. What the alert names exactly is firmer: a label whose value is a workload or Service
 * of the cluster (or the application name its objects carry), or a dashed workload or Service name written in full.
 * When the namespace the prose names holds none of those and they live elsewhere, the prose's word yields to them:
 * to a label at once; to names written in the text only when they are stated more often than the namespace is, a
 * question counting for nothing ("is tally-api down??" is a guess, "kiosks offline" a report).
 */

/** A workload or Service of the cluster, with the application names its labels give it. */
export interface NamedObject {
  namespace: string;
  name: string;
  /** Values of its application-name labels (`app.kubernetes.io/name`, `app`…): what an alert rule's label carries. */
  appNames: string[];
}

// Labels that carry an application's name on workloads and Services named otherwise (`tally-api-stable` for `tally-api`).
const APP_NAME_LABELS = ['app.kubernetes.io/name', 'app', 'k8s-app', 'app.kubernetes.io/instance'];

/** The application names an object's labels give. */
export const appNamesOf = (labels: Record<string, string> | undefined): string[] =>
  APP_NAME_LABELS.map((label) => labels?.[label]).filter((value): value is string => Boolean(value));

export interface NamespaceWordVerdict {
  namespace: string;
  assumption: string;
}

/**
 * The namespace the alert's exact names point to when the namespace its prose names holds none of them; undefined
 * when the prose's namespace holds one of them, or when nothing exact is named. Label values come first (a rule's
 * label is what the metric is about); then dashed names written in full in the text. Among several homes, the one
 * most names point to; ties go to `trouble` (signs of trouble per namespace), then to the first named (labels in the
 * order they are tried, names longest first): any of them is a firmer start than a namespace holding none.
 */
export function namespaceWordYields(
  text: string,
  labelValues: string[],
  named: string,
  objects: NamedObject[],
  trouble: (namespace: string) => number,
): NamespaceWordVerdict | undefined {
  const labelled = labelValues.flatMap((value) =>
    objects
      .filter((object) => object.name === value || object.appNames.includes(value))
      .map((object) => ({ value, object })),
  );
  // Names written with a dash are identifiers someone copied; a plain word may be prose or a product.
  const lower = text.toLowerCase();
  const dashed = [...new Set(objects.map((object) => object.name).filter((name) => name.includes('-')))];
  const written = dashed
    .filter((name) => occursAsWord(lower, name.toLowerCase()))
    .flatMap((name) => objects.filter((object) => object.name === name).map((object) => ({ value: name, object })));
  const stated = statements(text);
  const statedNamespace = stated.filter((sentence) => mentionedNames(sentence, [named]).length > 0).length;
  for (const [evidence, why] of [
    [labelled, "the alert's labels name"],
    [written, "the alert's text names"],
  ] as const) {
    if (evidence.length === 0) continue;
    if (evidence.some(({ object }) => object.namespace === named)) return undefined;
    const home = mostNamed(evidence, trouble);
    if (!home) continue;
    const values = [...new Set(evidence.filter(({ object }) => object.namespace === home).map(({ value }) => value))];
    const statedValues = stated.filter((sentence) =>
      values.some((value) => occursAsWord(sentence.toLowerCase(), value.toLowerCase())),
    ).length;
    if (evidence === written && statedValues <= statedNamespace) return undefined;
    return {
      namespace: home,
      assumption: `namespace ${home}: it holds ${values.join(', ')}, which ${why}; namespace ${named}, which a word of the alert names, holds nothing it names`,
    };
  }
  return undefined;
}

/** The namespace most distinct named values live in; ties by trouble, then by the order of the evidence. */
function mostNamed(
  evidence: { value: string; object: NamedObject }[],
  trouble: (namespace: string) => number,
): string | undefined {
  const values = new Map<string, Set<string>>();
  for (const { value, object } of evidence) {
    values.set(object.namespace, (values.get(object.namespace) ?? new Set()).add(value));
  }
  const ranked = [...values].sort((a, b) => b[1].size - a[1].size || trouble(b[0]) - trouble(a[0]));
  return ranked[0]?.[0];
}

/** The sentences of a text that state something: not questions (a person's guess), one per line or full stop. */
function statements(text: string): string[] {
  return text
    .split(/\n+|(?<=[.!?])\s+/)
    .map((sentence) => sentence.trim())
    .filter((sentence) => sentence && !sentence.endsWith('?'));
}
