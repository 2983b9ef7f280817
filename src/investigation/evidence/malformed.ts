import { parse as parseYaml } from 'yaml';

/**
 * Keys of configuration data whose content does not parse as the format its name (or first character) announces:
 * a truncated JSON file or broken YAML is wrong whenever it changed.
 */
export function malformedKeys(data: Record<string, string> | undefined): string[] {
  return Object.entries(data ?? {})
    .filter(([key, value]) => {
      const trimmed = value.trim();
      if (/\.json$/i.test(key) || /^[[{]/.test(trimmed)) return !parses(() => JSON.parse(trimmed));
      if (/\.ya?ml$/i.test(key)) return !parses(() => parseYaml(trimmed));
      return false;
    })
    .map(([key]) => key);
}

function parses(parse: () => unknown): boolean {
  try {
    parse();
    return true;
  } catch {
    return false;
  }
}
