import { wordsOf } from './word-stem.ts';

/** A port as a Service (or a pod's container) declares it: a number, and the name or protocol it says it speaks. */
export interface NamedPort {
  port: number;
  name?: string | undefined;
  appProtocol?: string | undefined;
}

/** What a port says it speaks: its appProtocol and its name, as words (a name like grpc-web is the words grpc, web). */
const spokenBy = (port: NamedPort): string[] => [
  ...(port.appProtocol ? wordsOf(port.appProtocol) : []),
  ...(port.name ? [port.name.toLowerCase(), ...wordsOf(port.name)] : []),
];

/**
 * The port an address setting means when it names another: the setting's words (its env name, its URL scheme) name
 * what one of the Service's ports speaks, while the port it gives is another one, which speaks something else — a
 * GRPC address pointed at the HTTP port. Only named ports can say so; undefined when nothing contradicts the setting.
 */
export function portMeant(
  envName: string,
  value: string,
  ports: NamedPort[],
  given: number,
): { meant: NamedPort; given: NamedPort } | undefined {
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(value.trim())?.[1];
  const words = new Set([...wordsOf(envName), ...(scheme ? wordsOf(scheme) : [])]);
  const givenPort = ports.find((p) => p.port === given);
  if (!givenPort || spokenBy(givenPort).length === 0) return undefined;
  if (spokenBy(givenPort).some((word) => words.has(word))) return undefined;
  // What the setting means must be a port's whole name or protocol (grpc), not a word of it (http of http-metrics).
  const whole = (p: NamedPort) => [p.appProtocol, p.name].filter((n): n is string => !!n).map((n) => n.toLowerCase());
  const meant = ports.find((p) => p.port !== given && whole(p).some((word) => words.has(word)));
  return meant ? { meant, given: givenPort } : undefined;
}
