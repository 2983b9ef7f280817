import { parse as parseYaml } from 'yaml';

/**
 * Keys of configuration data whose content does not parse as the format its name (or first character) announces:
 * a truncated JSON file or broken YAML is wrong whenever it changed.
 */
export function malformedKeys(data: Record<string, string> | undefined): string[] {
  return Object.entries(data ?? {})
    .filter(([key, value]) => {
      const trimmed = value.trim();
      if (/\.json$/i.test(key) || (/^[[{]/.test(trimmed) && !sectionHeaded(key, trimmed)))
        return !parses(() => JSON.parse(trimmed));
      if (/\.ya?ml$/i.test(key)) return !parses(() => parseYaml(trimmed));
      return false;
    })
    .map(([key]) => key);
}

// `[agent]`, `[[inputs.cpu]]`, `[server "main"]`: the first line of an INI or TOML file, not a JSON array.
const SECTION_HEADER = /^\[\[?[\w.\- "']+\]\]?\s*(?:[#;].*)?$/;

/** A file whose name says another format (`.toml`, `.conf`, `.ini`), or whose first line is a section header. */
const sectionHeaded = (key: string, content: string): boolean =>
  /\.(?:toml|conf|cfg|ini|properties)$/i.test(key) || SECTION_HEADER.test(content.split('\n')[0]?.trim() ?? '');

function parses(parse: () => unknown): boolean {
  try {
    parse();
    return true;
  } catch {
    return false;
  }
}
