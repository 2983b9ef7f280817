import { z } from 'zod';
import { Metadata, type ServedGroup, type ServedResource } from './routing-objects.ts';

/** A custom resource of any kind, as read: its identity and whatever its spec and status hold (never trusted typed). */
export const CustomObjectSchema = z.looseObject({
  apiVersion: z.string(),
  kind: z.string(),
  metadata: Metadata,
  spec: z.unknown().optional(),
  status: z.unknown().optional(),
});
export type CustomObject = z.infer<typeof CustomObjectSchema>;

/**
 * A field of a custom object's spec read as an object: the schema leaves spec and status unknown (each kind shapes them
 * its own way), so a field that is absent or of another shape reads as empty rather than failing the whole object.
 */
export const asRecord = (value: unknown): Record<string, unknown> =>
  value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};

/** Groups Kubernetes serves itself: no dot (the core group, `apps`, `batch`…) or `*.k8s.io`. Any other is an extension. */
export const builtInGroup = (group: string): boolean => !group.includes('.') || group.endsWith('.k8s.io');

/** A custom kind the cluster serves, with the group and version it is read at. */
export type ServedCustomKind = ServedResource & { group: string };

/** The first kind an extension group serves (as discovery answered) that `matches`, with its group. */
export function servedCustomKind(
  groups: readonly ServedGroup[],
  matches: (resource: ServedResource) => boolean,
): ServedCustomKind | undefined {
  for (const { group, resources = [] } of groups) {
    if (builtInGroup(group)) continue;
    const resource = resources.find(matches);
    if (resource) return { group, ...resource };
  }
  return undefined;
}

/**
 * Every kind the extension groups serve (as discovery answered) that `matches` by its shape (its kind's name, its
 * scope) or its group, with its group, in discovery's order: how a custom kind is found without a product's name.
 */
export function servedCustomKinds(
  groups: readonly ServedGroup[],
  matches: (resource: ServedResource, group: string) => boolean,
): ServedCustomKind[] {
  return groups
    .filter(({ group }) => !builtInGroup(group))
    .flatMap(({ group, resources = [] }) => resources.filter((r) => matches(r, group)).map((r) => ({ group, ...r })));
}

/**
 * Whether a message names an object by its name standing alone (not a part of a longer name such as `guard` in
 * `guard-v2` or `guard.example.io`). Names shorter than `shortest` match too much by chance.
 */
export function nameStandsIn(object: CustomObject, message: string, shortest: number): boolean {
  const name = object.metadata?.name ?? '';
  if (name.length < shortest) return false;
  const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(?<![\\w.-])${escaped}(?![\\w-]|\\.\\w)`).test(message);
}
