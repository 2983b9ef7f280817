import { fieldAt, type KubeObject } from './object.ts';
import type { ResourceType } from './resources.ts';
import { badRequest } from './status.ts';

/** A parsed selector: true when the object matches. */
export type Selector = (object: KubeObject) => boolean;

type Operator = '=' | '!=' | 'in' | 'notin' | 'exists' | '!' | 'gt' | 'lt';
interface Requirement {
  key: string;
  operator: Operator;
  values: string[];
}

/** Splits on commas outside parentheses (`a in (x,y),b` is two requirements). */
function splitTopLevel(selector: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const char of selector) {
    if (char === '(') depth += 1;
    if (char === ')') depth -= 1;
    if (char === ',' && depth === 0) {
      parts.push(current);
      current = '';
    } else current += char;
  }
  parts.push(current);
  return parts.map((part) => part.trim()).filter((part) => part !== '');
}

const LABEL_KEY = /^([a-z0-9]([-a-z0-9.]*[a-z0-9])?\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const LABEL_VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$/;

function parseRequirement(text: string): Requirement {
  const fail = (why: string) => badRequest(`unable to parse requirement: ${why}`);
  let match = /^!\s*(\S+)$/.exec(text);
  if (match) return { key: match[1]!, operator: '!', values: [] };
  match = /^(\S+)\s+(in|notin)\s*\((.*)\)$/.exec(text);
  if (match) {
    const values = match[3]!.split(',').map((value) => value.trim());
    return { key: match[1]!, operator: match[2] as 'in' | 'notin', values };
  }
  match = /^([^=!<>\s]+)\s*(==|=|!=|<|>)\s*(.*)$/.exec(text);
  if (match) {
    const symbol = match[2]!;
    const value = match[3]!.trim();
    if (symbol === '<' || symbol === '>') {
      if (!/^-?\d+$/.test(value)) throw fail(`for 'gt', 'lt' operators, the value must be an integer`);
      return { key: match[1]!, operator: symbol === '<' ? 'lt' : 'gt', values: [value] };
    }
    return { key: match[1]!, operator: symbol === '!=' ? '!=' : '=', values: [value] };
  }
  if (/^\S+$/.test(text)) return { key: text, operator: 'exists', values: [] };
  throw fail(`found '${text}', expected: identifier, '!', 'in', 'notin', '=', '==', '!='`);
}

function validate(requirement: Requirement): Requirement {
  if (!LABEL_KEY.test(requirement.key) || requirement.key.length > 316) {
    throw badRequest(`unable to parse requirement: invalid label key "${requirement.key}"`);
  }
  for (const value of requirement.values) {
    if (value.length > 63 || !LABEL_VALUE.test(value)) {
      throw badRequest(`unable to parse requirement: invalid label value: "${value}"`);
    }
  }
  return requirement;
}

function matchesRequirement(labels: Record<string, string>, { key, operator, values }: Requirement): boolean {
  const has = Object.hasOwn(labels, key);
  const value = labels[key];
  switch (operator) {
    case '=':
      return has && value === values[0];
    case '!=':
      return !has || value !== values[0];
    case 'in':
      return has && values.includes(value!);
    case 'notin':
      return !has || !values.includes(value!);
    case 'exists':
      return has;
    case '!':
      return !has;
    case 'gt':
    case 'lt': {
      const number = Number(value);
      if (!has || !Number.isInteger(number)) return false;
      return operator === 'gt' ? number > Number(values[0]) : number < Number(values[0]);
    }
  }
}

/** `app=web,tier!=db,env in (a,b),!canary,release`; undefined when there is nothing to select by. */
export function parseLabelSelector(selector: string | undefined): Selector | undefined {
  if (!selector?.trim()) return undefined;
  const requirements = splitTopLevel(selector).map((part) => validate(parseRequirement(part)));
  return (object) => {
    const labels = object.metadata.labels ?? {};
    return requirements.every((requirement) => matchesRequirement(labels, requirement));
  };
}

/** Fields each kind can be selected by beyond metadata.name and metadata.namespace (the real server's lists). */
const SELECTABLE: Record<string, string[]> = {
  Pod: [
    'spec.nodeName',
    'spec.restartPolicy',
    'spec.schedulerName',
    'spec.serviceAccountName',
    'spec.hostNetwork',
    'status.phase',
    'status.podIP',
    'status.nominatedNodeName',
  ],
  'v1/Event': [
    'involvedObject.kind',
    'involvedObject.namespace',
    'involvedObject.name',
    'involvedObject.uid',
    'involvedObject.apiVersion',
    'involvedObject.resourceVersion',
    'involvedObject.fieldPath',
    'reason',
    'reportingComponent',
    'source',
    'type',
  ],
  'events.k8s.io/Event': [
    'regarding.kind',
    'regarding.namespace',
    'regarding.name',
    'regarding.uid',
    'regarding.apiVersion',
    'regarding.resourceVersion',
    'regarding.fieldPath',
    'reason',
    'reportingController',
    'type',
  ],
  Node: ['spec.unschedulable'],
  Namespace: ['status.phase'],
  Secret: ['type'],
  ReplicaSet: ['status.replicas'],
  ReplicationController: ['status.replicas'],
  Job: ['status.successful'],
  CertificateSigningRequest: ['spec.signerName'],
};

function selectableFields(resource: ResourceType): string[] {
  const specific =
    resource.kind === 'Event' ? SELECTABLE[`${resource.group || 'v1'}/Event`] : SELECTABLE[resource.kind];
  return ['metadata.name', 'metadata.namespace', ...(resource.builtIn ? (specific ?? []) : [])];
}

/** The string the real server compares for a field (`source` is the component; absent is ''). */
function fieldValue(object: KubeObject, field: string): string {
  const value = field === 'source' ? fieldAt(object, 'source.component') : fieldAt(object, field);
  if (value === undefined || value === null) return field === 'spec.hostNetwork' ? 'false' : '';
  return String(value);
}

/** Splits on an unescaped separator; `\,` `\=` `\\` escape as in the real field selector syntax. */
function splitEscaped(text: string, separator: string): string[] {
  const parts: string[] = [];
  let current = '';
  for (let index = 0; index < text.length; index++) {
    const char = text[index]!;
    if (char === '\\' && index + 1 < text.length) {
      current += char + text[index + 1];
      index += 1;
    } else if (char === separator) {
      parts.push(current);
      current = '';
    } else current += char;
  }
  parts.push(current);
  return parts;
}

const unescapeValue = (text: string) => text.replace(/\\(.)/g, '$1');

/** `metadata.name=x,status.phase!=Running`; an unknown field is the real server's 400. */
export function parseFieldSelector(selector: string | undefined, resource: ResourceType): Selector | undefined {
  if (!selector?.trim()) return undefined;
  const allowed = selectableFields(resource);
  const terms = splitEscaped(selector, ',')
    .filter((term) => term.trim() !== '')
    .map((term) => {
      const match = /^([^=!]+?)\s*(==|=|!=)\s*(.*)$/s.exec(term.trim());
      if (!match) throw badRequest(`invalid selector: '${selector}'; can't understand '${term}'`);
      const field = match[1]!;
      if (!allowed.includes(field)) throw badRequest(`field label not supported: ${field}`);
      return { field, negate: match[2] === '!=', value: unescapeValue(match[3]!) };
    });
  return (object) => terms.every(({ field, negate, value }) => (fieldValue(object, field) === value) !== negate);
}
