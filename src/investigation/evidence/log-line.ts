import { CONNECTION_FAILURE } from './connection-failures.ts';

const LEADING_TIMESTAMP = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2}))\s+/;

export interface LogLine {
  at?: string;
  text: string;
}

/** Splits the RFC 3339 timestamp a log line may start with (`kubectl logs --timestamps`) from its text. */
export function parseLogLine(line: string): LogLine {
  const match = LEADING_TIMESTAMP.exec(line);
  return match ? { at: match[1], text: line.slice(match[0].length) } : { text: line };
}

const ERROR_WORDS =
  /\b(error|err|fail(ed|ure|ing)?|fatal|panic|exception|refused|timed? ?out|deadline|unavailable|denied|forbidden|unauthori[sz]ed|invalid|cannot|can't|unable|no such host|not found|crash)/i;

/**
 * A caller reporting that its callee answered with a server error (`rates-gw returned 502`, `status=503`,
 * `got HTTP 500`), in whatever level it logs it at: the callee failed, whatever words surround the code.
 */
export const SERVER_ERROR_ANSWER =
  /\b(?:returned|returns|answered|responded|replied|got|received|response|status(?:[ _]?code)?|code|HTTP)["']?\s*[=:]?\s*["']?5\d\d\b/i;

/** A line the process itself logged at warning level (`WARN`, `level=warn`, `"level":"warning"`), in whatever words. */
export const WARNING_LEVEL = /(?:^|\s|\])(?:WARN|WARNING)\b|\blevel"?\s*[=:]\s*"?warn(?:ing)?\b/;

// A request the server refused as malformed or unknown (not 401/403/429: credentials and limits are the server's word
// about the caller's standing, which other detectors weigh), as access logs and web frameworks word it.
const CLIENT_ERROR = '(?:400|404|405|406|409|410|412|413|414|415|422)';
const METHOD = '(?:GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS)';
const CLIENT_ERROR_ANSWER = new RegExp(
  [
    `"${METHOD} \\S+ HTTP/[\\d.]+" ${CLIENT_ERROR}\\b`,
    `\\b${METHOD} /\\S* ${CLIENT_ERROR}\\b`,
    '\\bNot Found: /\\S*\\s*$',
    `"?(?:status|status_code|statusCode)"?\\s*[=:]\\s*"?${CLIENT_ERROR}\\b.*\\b${METHOD}\\b|\\b${METHOD}\\b.*"?(?:status|status_code|statusCode)"?\\s*[=:]\\s*"?${CLIENT_ERROR}\\b`,
  ].join('|'),
);

/**
 * A server's account of answering a request with a client error (404 to a path it does not have, 400 to a body it
 * cannot read): the server doing its job, not failing. The fault is with whoever sends such requests.
 */
export const answersClientError = (text: string): boolean => CLIENT_ERROR_ANSWER.test(text);

/**
 * Name-resolution failures as resolvers and runtimes word them (Go, glibc, Java, Node, gRPC, and .NET, which prints the
 * resolver's EAI_AGAIN as "Resource temporarily unavailable (host:port)", libpq as "could not translate host name").
 */
export const RESOLVE_ERROR =
  /no such host|nxdomain|servfail|could not resolve|could not translate host name|couldn't resolve|name or service not known|temporary failure in name resolution|unknown ?host|getaddrinfo|server misbehaving|name resolver|resolver error|dns resolution failed|lookup \S+( on \S+)?: i\/o timeout|lookup .* on .*:53|resource temporarily unavailable \([a-z0-9][a-z0-9.-]*:\d+\)/i;

/**
 * An error line, whatever level it is logged at: error words, a callee's server-error answer, or a connection that
 * failed as runtimes word it (`connect ECONNREFUSED 10.0.0.5:8080` says no word `error`).
 */
export const looksLikeError = (text: string): boolean =>
  ERROR_WORDS.test(text) || SERVER_ERROR_ANSWER.test(text) || CONNECTION_FAILURE.test(text);
