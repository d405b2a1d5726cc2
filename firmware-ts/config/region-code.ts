/**
 * What a region code is (a 6-digit administrative division code), in a module without the schema
 * library, for the `--region` option as much as for the configuration's `region`.
 * @module
 */
export const REGION_CODE_RE = /^\d{6}$/;
