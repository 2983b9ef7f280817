import { ABSENT, type Lookup, unescapePointerToken, valueAt } from './json-patch.ts';
import type { KubeObject } from './kube-objects.ts';
import { entityLabel } from '../investigation/model.ts';
import type { Change } from './plan-spec.ts';

const MAX_VALUE = 160;

/** Leaf values under `path`, keyed by a readable path (`spec.template.spec.containers[0].image`). */
function leaves(value: Lookup, path: string, into = new Map<string, unknown>()): Map<string, unknown> {
  if (value === ABSENT) return into;
  if (value !== null && typeof value === 'object' && Object.keys(value).length > 0) {
    for (const [key, child] of Object.entries(value)) {
      const next = Array.isArray(value) ? `${path}[${key}]` : path ? `${path}.${key}` : key;
      leaves(child, next, into);
    }
  } else {
    into.set(path, value);
  }
  return into;
}

const readable = (pointerPath: string): string =>
  pointerPath
    .slice(1)
    .split('/')
    .map(unescapePointerToken)
    .reduce((path, token) => (/^\d+$/.test(token) ? `${path}[${token}]` : path ? `${path}.${token}` : token), '');

function show(value: unknown, secret: boolean): string {
  if (secret) return `<secret value, ${String(value ?? '').length} base64 chars>`;
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.length > MAX_VALUE ? `${text.slice(0, MAX_VALUE)}… (${text.length} chars)` : text;
}

function lineDiff(before: Map<string, unknown>, after: Map<string, unknown>, secret: boolean): string[] {
  const lines: string[] = [];
  for (const path of new Set([...before.keys(), ...after.keys()])) {
    const old = before.get(path);
    const now = after.get(path);
    if (JSON.stringify(old) === JSON.stringify(now)) continue;
    const masked = secret && path.startsWith('data.');
    if (before.has(path)) lines.push(`- ${path}: ${show(old, masked)}`);
    if (after.has(path)) lines.push(`+ ${path}: ${show(now, masked)}`);
  }
  return lines;
}

/**
 * The exact change as people read it: one header per object, then removed (-) and added (+) leaf values.
 * `objects` are the targets as read at plan time, keyed by entityLabel.
 */
export function renderDiff(changes: Change[], objects: Map<string, KubeObject | null>): string {
  const sections: string[] = [];
  for (const change of changes) {
    const object = objects.get(entityLabel(change.ref)) ?? null;
    const secret = change.ref.kind === 'Secret';
    const header = `--- ${entityLabel(change.ref)}`;
    if (change.type === 'delete') {
      sections.push(
        [`${header} (delete)`, ...lineDiff(leaves(object?.spec ?? {}, 'spec'), new Map(), secret)].join('\n'),
      );
    } else if (change.type === 'create') {
      sections.push(
        [`${header} (create)`, ...lineDiff(new Map(), leaves(change.manifest.spec ?? {}, 'spec'), secret)].join('\n'),
      );
    } else {
      const lines = [header];
      for (const op of change.ops) {
        const path = readable(op.path);
        const before = leaves(valueAt(object, op.path), path);
        const after = op.op === 'remove' ? new Map<string, unknown>() : leaves(op.value, path);
        lines.push(...lineDiff(before, after, secret));
      }
      sections.push(lines.join('\n'));
    }
  }
  return sections.join('\n');
}
