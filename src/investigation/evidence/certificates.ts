import { z } from 'zod';
import { Condition, Metadata, type ServedGroup } from './routing-objects.ts';

/**
 * cert-manager's objects, read only when API discovery shows cert-manager.io served and victims print TLS verification
 * errors: a Certificate says in its Ready condition why the Secret it keeps is not (or no longer) a valid certificate,
 * and which Issuer signs it; an Issuer says in its own Ready condition why it cannot sign. Untyped custom resources:
 * zod keeps the fields the detectors use.
 */
// Certificate verification failures as TLS libraries word them: Go's x509/tls, OpenSSL (and Python/Ruby over it),
// Java's PKIX and CertificateExpiredException, Node's error codes, rustls, .NET's SslPolicyErrors.
export const TLS_ERROR = new RegExp(
  [
    'x509: ',
    'tls: (failed to verify|bad certificate|unknown certificate authority|expired certificate)',
    'certificate (has expired|expired|is not yet valid|verify failed|signed by unknown authority)',
    'PKIX path (building|validation) failed|Certificate(Expired|NotYetValid)Exception',
    'self[- ]signed certificate|CERT_HAS_EXPIRED|CERT_NOT_YET_VALID|UNABLE_TO_VERIFY_LEAF_SIGNATURE',
    'DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|ERR_TLS_CERT_ALTNAME_INVALID',
    'invalid peer certificate|RemoteCertificate(ChainErrors|NameMismatch)|NotTimeValid',
    // As a person reports what a browser or an app showed them.
    'certificate (warning|error)s?\\b|\\bTLS error|connection is not private|NET::ERR_CERT_',
  ].join('|'),
  'i',
);

export const CERTIFICATE_APIS = {
  Certificate: { group: 'cert-manager.io', plural: 'certificates', namespaced: true },
  Issuer: { group: 'cert-manager.io', plural: 'issuers', namespaced: true },
  ClusterIssuer: { group: 'cert-manager.io', plural: 'clusterissuers', namespaced: false },
} as const;
export type CertificateKind = keyof typeof CERTIFICATE_APIS;

const Status = z.looseObject({ conditions: z.array(Condition).optional() }).optional();

export const CertificateSchema = z.looseObject({
  apiVersion: z.string().optional(),
  kind: z.literal('Certificate').optional(),
  metadata: Metadata.optional(),
  spec: z
    .looseObject({
      secretName: z.string().optional(),
      dnsNames: z.array(z.string()).optional(),
      issuerRef: z
        .looseObject({ name: z.string(), kind: z.string().optional(), group: z.string().optional() })
        .optional(),
    })
    .optional(),
  status: z
    .looseObject({
      conditions: z.array(Condition).optional(),
      notAfter: z.string().optional(),
      /** When the certificate held now was issued: a change after it has not been through a successful issuance. */
      notBefore: z.string().optional(),
      renewalTime: z.string().optional(),
      /** When cert-manager last failed to issue it. */
      lastFailureTime: z.string().optional(),
    })
    .optional(),
});
export type Certificate = z.infer<typeof CertificateSchema>;

/** An Issuer or a ClusterIssuer: the same shape, one namespaced, one not. */
export const IssuerSchema = z.looseObject({
  apiVersion: z.string().optional(),
  kind: z.enum(['Issuer', 'ClusterIssuer']).optional(),
  metadata: Metadata.optional(),
  status: Status,
});
export type Issuer = z.infer<typeof IssuerSchema>;

export const CERTIFICATE_SCHEMAS = {
  Certificate: CertificateSchema,
  Issuer: IssuerSchema,
  ClusterIssuer: IssuerSchema,
} as const;

/** Whether the cluster serves cert-manager's API (and at which version). */
export const certificatesServed = (groups: ServedGroup[]): string | undefined =>
  groups.find((served) => served.group === CERTIFICATE_APIS.Certificate.group)?.version;
