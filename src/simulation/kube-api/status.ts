import { qualifiedName, type ResourceType } from './resources.ts';

/** A metav1.Status, the body of every error the real API server answers. */
export interface KubeStatus {
  kind: 'Status';
  apiVersion: 'v1';
  /** Only a 410 Expired list carries something here: the token that continues the list inconsistently. */
  metadata: { continue?: string };
  status: 'Success' | 'Failure';
  message?: string;
  reason?: string;
  details?: { name?: string; group?: string; kind?: string; uid?: string; causes?: StatusCause[] };
  code: number;
}

export interface StatusCause {
  reason: string;
  message: string;
  field: string;
}

/** Thrown by request handling; the server answers it as a Status with its code. */
export class StatusError extends Error {
  constructor(readonly status: KubeStatus) {
    super(status.message);
  }
}

const failure = (code: number, reason: string, message: string, details?: KubeStatus['details']) =>
  new StatusError({
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason,
    ...(details ? { details } : {}),
    code,
  });

const detailsOf = (resource: ResourceType, name?: string) => ({
  ...(name !== undefined ? { name } : {}),
  ...(resource.group ? { group: resource.group } : {}),
  kind: resource.plural,
});

export const notFound = (resource: ResourceType, name: string) =>
  failure(404, 'NotFound', `${qualifiedName(resource)} "${name}" not found`, detailsOf(resource, name));

export const pathNotFound = () => failure(404, 'NotFound', 'the server could not find the requested resource', {});

export const alreadyExists = (resource: ResourceType, name: string) =>
  failure(409, 'AlreadyExists', `${qualifiedName(resource)} "${name}" already exists`, detailsOf(resource, name));

export const conflict = (resource: ResourceType, name: string) =>
  failure(
    409,
    'Conflict',
    `Operation cannot be fulfilled on ${qualifiedName(resource)} "${name}": the object has been modified; please apply your changes to the latest version and try again`,
    detailsOf(resource, name),
  );

export const badRequest = (message: string) => failure(400, 'BadRequest', message);

/** A continue token older than the last compaction: the real server's 410, with a token for the rest as it is now. */
export function continueExpired(inconsistentContinue: string | undefined): StatusError {
  const error = failure(
    410,
    'Expired',
    'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.',
  );
  if (inconsistentContinue) error.status.metadata = { continue: inconsistentContinue };
  return error;
}

export const invalid = (resource: ResourceType, name: string, causes: StatusCause[]) =>
  failure(
    422,
    'Invalid',
    `${resource.kind}${resource.group ? `.${resource.group}` : ''} "${name}" is invalid: ${causes
      .map((cause) => `${cause.field}: ${cause.message}`)
      .join(', ')}`,
    { ...detailsOf(resource, name), kind: resource.kind, causes },
  );

/** A patch that cannot be applied (failed `test`, missing path): the real server's 422 without causes. */
export const unprocessable = (message: string) => failure(422, 'Invalid', message);

export const forbidden = (message: string, resource: ResourceType, name?: string) =>
  failure(403, 'Forbidden', message, detailsOf(resource, name));

/** An eviction the pod's disruption budget does not allow now. */
export const disruptionBudgetExceeded = (budget: string) =>
  failure(429, 'TooManyRequests', "Cannot evict pod as it would violate the pod's disruption budget.", {
    causes: [
      {
        reason: 'DisruptionBudget',
        message: `The disruption budget ${budget} needs more healthy pods and has no disruptions allowed now.`,
        field: '',
      },
    ],
  });

/** The Accept header names only forms the server cannot give for this request. */
export const notAcceptable = () =>
  failure(
    406,
    'NotAcceptable',
    'only the following media types are accepted: application/json, application/yaml, application/vnd.kubernetes.protobuf',
  );

export const methodNotAllowed = () =>
  failure(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource', {});

export const unsupportedMediaType = (contentType: string, accepted: string[]) =>
  failure(
    415,
    'UnsupportedMediaType',
    `the body of the request was in an unknown format${contentType ? ` (${contentType})` : ''} - accepted media types include: ${accepted.join(', ')}`,
    {},
  );

/** The Status a successful delete answers for kinds whose deleted object is not returned. */
export const deleted = (resource: ResourceType, name: string, uid?: string): KubeStatus => ({
  kind: 'Status',
  apiVersion: 'v1',
  metadata: {},
  status: 'Success',
  details: { ...detailsOf(resource, name), ...(uid ? { uid } : {}) },
  code: 200,
});
