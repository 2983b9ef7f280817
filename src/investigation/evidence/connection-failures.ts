/**
 * How a client words a connection to its server that could not be made, one phrase family per way a connection fails,
 * so every reader of log lines means the same thing by "refused" or "unreachable". Name resolution (the name never
 * became an address) is RESOLVE_ERROR's (log-line.ts), and a client's own pool with no free connection is not a server
 * that cannot be reached.
 */

/** Nothing listens at the address: the host answered with a reset to the connection attempt. */
export const REFUSED = 'connection refused|ECONNREFUSED';
/** The connection was made and the other end dropped it. */
export const RESET = 'connection reset|reset by peer|ECONNRESET';
/** The attempt got no answer at all (dropped packets, a host that is gone). */
export const CONNECT_TIMEOUT =
  'connect(?:ion)? timed? ?out|connect timeout|timed out connecting|connection attempt timed out|ETIMEDOUT|i\\/o timeout';
/** No path to the address. */
export const UNREACHABLE = 'no route to host|EHOSTUNREACH|ENETUNREACH|network is unreachable';
/** A proxy in front (nginx, Envoy) reporting that it could not connect to its upstream. */
export const UPSTREAM_CONNECT = 'connect\\(\\) failed|upstream connect error|delayed connect error|connection failure';
/** A client that gave up connecting without saying how. */
export const GAVE_UP =
  "fail(?:ed|ure) to connect|could not connect|couldn't connect|unable to connect|can ?not connect";
/**
 * A client that knows several servers and tried them all (`no servers available`, `no reachable servers`, `no brokers
 * available`, `no living connections`): none of its servers answered. Not a node: "no nodes available" is the
 * scheduler's word about placing pods.
 */
export const NONE_ANSWERED =
  '\\bno (?:available |reachable |healthy |alive |living )?(?:server|broker|instance|host|member)s?(?: are)? (?:available|reachable|alive)|\\bno (?:available|reachable|alive|living) (?:server|service|broker|instance|host|member)s?\\b|\\bno (?:reachable|alive|living) connections\\b';

/** Phrase families joined into one case-insensitive pattern. */
export const anyOf = (...families: string[]): RegExp => new RegExp(families.join('|'), 'i');

/**
 * A client's own pool with no free connection to hand out (`no available connections in pool`, `QueuePool limit …
 * reached, connection timed out`, `timeout waiting for connection from pool`, `Connection is not available, request
 * timed out`): every connection it holds is in use. The server answers those; the client asks for more than its pool
 * holds (a pool made smaller, connections never given back, requests that take longer).
 */
const POOL_EXHAUSTED =
  /\bno (?:available|idle|free|spare) connections?\b|\bpool (?:is )?(?:exhausted|full)|\bpool exhaust|pool\b[^.;]*\b(?:limit|size)\b[^.;]*\breached|\b(?:wait(?:ing)?|acquir\w*|obtain\w*|borrow\w*|get(?:ting)?|check(?:ing)?[ -]?out)(?: for)? (?:a |an |idle )?connection (?:from|out of) (?:the )?pool|connection is not available, request timed out/i;

/** Every phrase family of a connection that could not be made (an error line says no more: failsToReach weighs it). */
export const CONNECTION_FAILURE = anyOf(REFUSED, RESET, CONNECT_TIMEOUT, UNREACHABLE, GAVE_UP, NONE_ANSWERED);

/** Whether a line says its client could not reach its server (refused, reset, timed out, unreachable, none answered). */
export const failsToReach = (text: string): boolean => CONNECTION_FAILURE.test(text) && !POOL_EXHAUSTED.test(text);
