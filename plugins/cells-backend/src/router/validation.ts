import { stringifyEntityRef } from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';

/**
 * `caller`: "<cell>/<component>", { rogue: "<cell>" } or { gateway: true }.
 * `entities`: a list of System/Component entities (checkEntities).
 */
type FieldType = 'string' | 'integer' | 'caller' | 'entities';

/** At most this many entities per preview: a template writes one or two. */
export const MAX_PREVIEW_ENTITIES = 20;

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The shape the core needs to read an entity; its cell fields are the core's
 * to judge (changeProblems), which names the entity ref instead of an index.
 */
function checkEntities(value: unknown, field: string): void {
  if (!Array.isArray(value) || value.length === 0 || value.length > MAX_PREVIEW_ENTITIES) {
    throw new InputError(`${field}: must be a list of 1 to ${MAX_PREVIEW_ENTITIES} catalog entities`);
  }
  const seen = new Map<string, number>();
  value.forEach((entity, i) => {
    const at = `${field}[${i}]`;
    if (!isObject(entity)) throw new InputError(`${at}: must be an entity object`);
    if (typeof entity.apiVersion !== 'string' || entity.apiVersion === '') throw new InputError(`${at}.apiVersion: must be a non-empty string, e.g. backstage.io/v1alpha1`);
    if (typeof entity.kind !== 'string' || !['system', 'component'].includes(entity.kind.toLowerCase())) {
      throw new InputError(`${at}.kind: must be System or Component, not ${JSON.stringify(entity.kind)}`);
    }
    const metadata = entity.metadata;
    if (!isObject(metadata)) throw new InputError(`${at}.metadata: must be an object with a name`);
    if (typeof metadata.name !== 'string' || metadata.name === '') throw new InputError(`${at}.metadata.name: must be a non-empty string`);
    if (metadata.namespace !== undefined && (typeof metadata.namespace !== 'string' || metadata.namespace === '')) {
      throw new InputError(`${at}.metadata.namespace: must be a non-empty string when given`);
    }
    if (entity.spec !== undefined && !isObject(entity.spec)) throw new InputError(`${at}.spec: must be an object`);
    const ref = stringifyEntityRef({ kind: entity.kind, namespace: metadata.namespace as string | undefined, name: metadata.name });
    if (seen.has(ref)) throw new InputError(`${at}: ${ref} is also ${field}[${seen.get(ref)}]; give each entity once`);
    seen.set(ref, i);
  });
}

function checkCaller(value: unknown, field: string): void {
  if (typeof value === 'string' && value !== '') return;
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const keys = Object.keys(value);
    const v = value as Record<string, unknown>;
    if (keys.length === 1 && typeof v.rogue === 'string' && v.rogue !== '') return;
    if (keys.length === 1 && v.gateway === true) return;
  }
  throw new InputError(`${field}: must be "<cell>/<component>", { "rogue": "<cell>" } or { "gateway": true }`);
}

function check(fields: Record<string, FieldType>, required: string[], input: Record<string, unknown>, where: string) {
  for (const key of Object.keys(input)) {
    if (!(key in fields)) throw new InputError(`${key}: unknown ${where}; allowed: ${Object.keys(fields).join(', ')}`);
  }
  for (const key of required) {
    if (input[key] === undefined) throw new InputError(`${key}: required`);
  }
}

/** A JSON body with exactly these fields (unknown fields are refused, never ignored). */
export function validateBody(body: unknown, fields: Record<string, FieldType>, required: string[]): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new InputError('body: must be a JSON object');
  const input = body as Record<string, unknown>;
  check(fields, required, input, 'field');
  for (const [key, type] of Object.entries(fields)) {
    const value = input[key];
    if (value === undefined) continue;
    if (type === 'caller') checkCaller(value, key);
    else if (type === 'entities') checkEntities(value, key);
    else if (type === 'string' && (typeof value !== 'string' || value === '')) throw new InputError(`${key}: must be a non-empty string`);
    else if (type === 'integer' && !Number.isInteger(value)) throw new InputError(`${key}: must be an integer`);
  }
  return input;
}

/** Query parameters: each given once, integers parsed. */
export function validateQuery(query: Record<string, unknown>, fields: Record<string, 'string' | 'integer'>, required: string[]): Record<string, string | number | undefined> {
  check(fields, required, query, 'query parameter');
  const out: Record<string, string | number | undefined> = {};
  for (const [key, type] of Object.entries(fields)) {
    const value = query[key];
    if (value === undefined) continue;
    if (typeof value !== 'string' || value === '') throw new InputError(`${key}: must be given once, not empty`);
    if (type === 'integer') {
      if (!/^-?\d+$/.test(value)) throw new InputError(`${key}: must be an integer, not ${JSON.stringify(value)}`);
      out[key] = Number(value);
    } else out[key] = value;
  }
  return out;
}
