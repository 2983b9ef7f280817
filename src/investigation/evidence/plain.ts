/**
 * Objects as the API server sends them in JSON (timestamps are RFC 3339 strings, not Dates), so detectors
 * can be tested with plain objects copied from a cluster or a scenario file. The client's models rename the few
 * JSON fields that are reserved words in TypeScript (`_from`, `_default`); here they carry their JSON names.
 */
export type Plain<T> = T extends Date
  ? string
  : T extends (infer U)[]
    ? Plain<U>[]
    : T extends object
      ? { [K in keyof T as K extends `_${infer Json}` ? Json : K]: Plain<T[K]> }
      : T;
