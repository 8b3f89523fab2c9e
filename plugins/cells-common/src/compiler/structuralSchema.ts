/**
 * A check of data against a CRD's structural OpenAPI v3 schema, for the
 * kinds no models package types (the Envoy Gateway policies). It covers what
 * the API server checks before admission: types, unknown fields (which it
 * would silently prune: a pruned field could make a policy wider), required
 * fields, enums, lengths, counts, bounds, patterns, and anyOf/oneOf/allOf/not.
 * CEL rules (x-kubernetes-validations) are left to the API server; the
 * kube-testenv test applies every such object to a real one.
 */
export interface StructuralSchema {
  type?: string;
  properties?: Record<string, StructuralSchema>;
  additionalProperties?: StructuralSchema | boolean;
  items?: StructuralSchema;
  required?: string[];
  enum?: unknown[];
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  minimum?: number;
  maximum?: number;
  pattern?: string;
  anyOf?: StructuralSchema[];
  oneOf?: StructuralSchema[];
  allOf?: StructuralSchema[];
  not?: StructuralSchema;
  'x-kubernetes-preserve-unknown-fields'?: boolean;
  'x-kubernetes-int-or-string'?: boolean;
  [key: string]: unknown;
}

function typeError(schema: StructuralSchema, value: unknown): string | undefined {
  if (schema['x-kubernetes-int-or-string']) return Number.isInteger(value) || typeof value === 'string' ? undefined : 'must be an integer or a string';
  switch (schema.type) {
    case 'object':
      return typeof value === 'object' && value !== null && !Array.isArray(value) ? undefined : 'must be an object';
    case 'array':
      return Array.isArray(value) ? undefined : 'must be a list';
    case 'string':
      return typeof value === 'string' ? undefined : 'must be a string';
    case 'integer':
      return Number.isInteger(value) ? undefined : 'must be an integer';
    case 'number':
      return typeof value === 'number' ? undefined : 'must be a number';
    case 'boolean':
      return typeof value === 'boolean' ? undefined : 'must be true or false';
    default:
      return undefined;
  }
}

/** The first violation of `schema` by `value` at `path`, or undefined. */
export function structuralError(schema: StructuralSchema, value: unknown, path = ''): string | undefined {
  const at = (message: string) => `${path || '.'}: ${message}`;
  const type = typeError(schema, value);
  if (type) return at(type);
  if (schema.enum && !schema.enum.some(e => e === value)) return at(`must be one of ${schema.enum.map(e => JSON.stringify(e)).join(', ')}`);
  if (typeof value === 'string') {
    if (schema.minLength !== undefined && value.length < schema.minLength) return at(`must be at least ${schema.minLength} characters`);
    if (schema.maxLength !== undefined && value.length > schema.maxLength) return at(`must be at most ${schema.maxLength} characters`);
    if (schema.pattern !== undefined && !new RegExp(schema.pattern, 'u').test(value)) return at(`must match ${schema.pattern}`);
  }
  if (typeof value === 'number') {
    if (schema.minimum !== undefined && value < schema.minimum) return at(`must be at least ${schema.minimum}`);
    if (schema.maximum !== undefined && value > schema.maximum) return at(`must be at most ${schema.maximum}`);
  }
  if (Array.isArray(value)) {
    if (schema.minItems !== undefined && value.length < schema.minItems) return at(`must hold at least ${schema.minItems} items`);
    if (schema.maxItems !== undefined && value.length > schema.maxItems) return at(`must hold at most ${schema.maxItems} items`);
    if (schema.items) {
      for (let i = 0; i < value.length; i++) {
        const error = structuralError(schema.items, value[i], `${path}[${i}]`);
        if (error) return error;
      }
    }
  }
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const record = value as Record<string, unknown>;
    for (const key of schema.required ?? []) if (record[key] === undefined) return at(`${key} is required`);
    for (const [key, child] of Object.entries(record)) {
      const childSchema = schema.properties?.[key] ?? (typeof schema.additionalProperties === 'object' ? schema.additionalProperties : undefined);
      if (childSchema) {
        const error = structuralError(childSchema, child, `${path}.${key}`);
        if (error) return error;
      } else if (schema.properties && !schema['x-kubernetes-preserve-unknown-fields'] && schema.additionalProperties !== true) {
        return at(`unknown field ${key} (the API server would drop it)`);
      }
    }
  }
  for (const part of schema.allOf ?? []) {
    const error = structuralError(part, value, path);
    if (error) return error;
  }
  if (schema.anyOf && !schema.anyOf.some(part => structuralError(part, value, path) === undefined)) return at('matches none of its allowed forms (anyOf)');
  if (schema.oneOf && schema.oneOf.filter(part => structuralError(part, value, path) === undefined).length !== 1) {
    return at('must match exactly one of its allowed forms (oneOf)');
  }
  if (schema.not && structuralError(schema.not, value, path) === undefined) return at('matches a form it must not (not)');
  return undefined;
}
