import type { LabelMatcher } from './ast.ts';
import { PromQLError } from './errors.ts';
import { errorMessage } from '../../observability/error-message.ts';

export type Labels = Record<string, string>;

/** A predicate over one label value; an absent label counts as the empty string, as in Prometheus. */
export function compileMatcher(matcher: LabelMatcher): (value: string) => boolean {
  switch (matcher.op) {
    case '=':
      return (value) => value === matcher.value;
    case '!=':
      return (value) => value !== matcher.value;
    case '=~': {
      const regex = anchored(matcher.value);
      return (value) => regex.test(value);
    }
    case '!~': {
      const regex = anchored(matcher.value);
      return (value) => !regex.test(value);
    }
  }
}

/** A predicate over a label set that holds when every matcher does (regexes compiled once). */
export function compileSelector(matchers: LabelMatcher[]): (labels: Labels) => boolean {
  const compiled = matchers.map((matcher) => ({ name: matcher.name, test: compileMatcher(matcher) }));
  return (labels) => compiled.every(({ name, test }) => test(labels[name] ?? ''));
}

// Prometheus regexes are fully anchored: `=~"api"` does not match "api-gateway".
function anchored(pattern: string): RegExp {
  try {
    return new RegExp(`^(?:${pattern})$`, 's');
  } catch (error) {
    throw new PromQLError(`invalid regular expression "${pattern}": ${errorMessage(error)}`);
  }
}
