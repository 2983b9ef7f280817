import type { EntityRef } from '../model.ts';
import type { PolicyKind } from './admission-policies.ts';
import { builtInGroup } from './custom-object.ts';
import type { ServedGroup } from './routing-objects.ts';
import type { PodSpec } from './workloads.ts';
import { stem } from './word-stem.ts';

/**
 * A workload names an object it uses in a setting named after the object's kind: `SCORES_TOPIC=round-scores` is a
 * topic, `ORDERS_QUEUE=orders` a queue, `EXPORT_BUCKET=ledger-exports` a bucket. When the cluster serves a custom kind
 * of that name (`…Topic`, `…Queue`, `…Bucket`: an operator's resource), the object of that kind by that name is what
 * the workload uses — a dependency its configuration states, and a change to it (a size, a retention, a filter) acts
 * on the workload as a change of its own setting would. Found through discovery by the setting's word, never by a
 * product's name.
 */
export interface ConfiguredName {
  workload: EntityRef;
  setting: string;
  value: string;
  /** The setting's last word, lower-case (`topic`). */
  word: string;
}

/** A value that can be an object's name: a DNS subdomain, not a URL, a path, a number or a list. */
const OBJECT_NAME = /^[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?$/;
/** Words shorter than this name too many kinds (`id`, `url`). */
const MIN_WORD = 4;
/** Names shorter than this match too much by chance. */
const MIN_NAME = 3;
/** Setting words that name no kind of object (values, not things). */
const VALUE_WORD =
  /(?:name|names|host|hosts|port|url|uri|addr|address|endpoint|servers?|mode|level|size|timeout|interval|enabled|path|version|count|limit|namespace|service)$/;
/** A host name of the cluster or outside it, not an object's name (`db.data.svc`, `api.example.com`). */
const HOST = /\.svc(?:\.|$)|\.local$|\.(?:com|net|org|io|dev)$/;

/** The settings of the workloads' pod specs that name an object by a word of their own name. */
export function configuredNames(workloads: readonly { ref: EntityRef; spec: PodSpec | undefined }[]): ConfiguredName[] {
  return workloads.flatMap(({ ref, spec }) =>
    [...(spec?.containers ?? []), ...(spec?.initContainers ?? [])].flatMap((container) =>
      (container.env ?? []).flatMap((env) => {
        const value = env.value ?? '';
        const word =
          env.name
            .toLowerCase()
            .split(/[_.-]+/)
            .at(-1) ?? '';
        if (word.length < MIN_WORD || VALUE_WORD.test(word)) return [];
        if (value.length < MIN_NAME || !OBJECT_NAME.test(value) || /^\d/.test(value) || HOST.test(value)) return [];
        return [{ workload: ref, setting: env.name, value, word }];
      }),
    ),
  );
}

/** Whether a kind is named by a setting's word: its last word (`KafkaTopic` ↔ topic). */
export const kindNamedBy = (kind: string, word: string): boolean =>
  stem(kind.split(/(?<=[a-z0-9])(?=[A-Z])/).at(-1) ?? '') === stem(word);

/** The served custom kinds the settings' words name, at most `max`, with the settings naming each. */
export function configuredKinds(
  groups: readonly ServedGroup[],
  names: readonly ConfiguredName[],
  max: number,
): (PolicyKind & { names: ConfiguredName[] })[] {
  return groups
    .filter(({ group }) => !builtInGroup(group))
    .flatMap(({ group, resources = [] }) =>
      resources.map((r) => ({
        group,
        version: r.version,
        plural: r.plural,
        kind: r.kind,
        namespaced: r.namespaced,
        names: names.filter((name) => kindNamedBy(r.kind, name.word)),
      })),
    )
    .filter((kind) => kind.names.length > 0)
    .slice(0, max);
}
