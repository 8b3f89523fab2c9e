import { InputError } from '@backstage/errors';

/** `caller`: "<cell>/<component>", { rogue: "<cell>" } or { gateway: true }. */
type FieldType = 'string' | 'integer' | 'caller';

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
