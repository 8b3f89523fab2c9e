import { structuralError, StructuralSchema } from './structuralSchema';
import { validateObject } from './schema';

const SCHEMA: StructuralSchema = {
  type: 'object',
  required: ['name'],
  properties: {
    name: { type: 'string', minLength: 1, maxLength: 5, pattern: '^[a-z]+$' },
    count: { type: 'integer', minimum: 1, maximum: 3 },
    kind: { type: 'string', enum: ['A', 'B'] },
    list: { type: 'array', minItems: 1, maxItems: 2, items: { type: 'string' } },
    labels: { type: 'object', additionalProperties: { type: 'string' } },
    free: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true, properties: { a: { type: 'string' } } },
    port: { 'x-kubernetes-int-or-string': true },
    either: { type: 'object', properties: { x: { type: 'string' }, y: { type: 'string' } }, oneOf: [{ required: ['x'] }, { required: ['y'] }] },
  },
};

describe('a structural schema check', () => {
  it.each([
    [{ name: 'ok', count: 2, kind: 'A', list: ['a'], labels: { k: 'v' }, free: { other: 1 }, port: 'http', either: { x: '1' } }, undefined],
    [{}, '.: name is required'],
    [{ name: 'TooLong' }, '.name: must be at most 5 characters'],
    [{ name: 'A' }, '.name: must match ^[a-z]+$'],
    [{ name: 'ok', count: 1.5 }, '.count: must be an integer'],
    [{ name: 'ok', count: 4 }, '.count: must be at most 3'],
    [{ name: 'ok', kind: 'C' }, '.kind: must be one of "A", "B"'],
    [{ name: 'ok', list: [] }, '.list: must hold at least 1 items'],
    [{ name: 'ok', list: ['a', 1] }, '.list[1]: must be a string'],
    [{ name: 'ok', labels: { k: 1 } }, '.labels.k: must be a string'],
    [{ name: 'ok', port: true }, '.port: must be an integer or a string'],
    [{ name: 'ok', either: { x: '1', y: '2' } }, '.either: must match exactly one of its allowed forms (oneOf)'],
    [{ name: 'ok', extra: true }, '.: unknown field extra (the API server would drop it)'],
  ])('%j: %s', (value, error) => {
    expect(structuralError(SCHEMA, value)).toBe(error);
  });

  it("checks Envoy Gateway's kinds against their CRDs' schemas", () => {
    const policy = (spec: unknown) => ({ apiVersion: 'gateway.envoyproxy.io/v1alpha1', kind: 'BackendTrafficPolicy', metadata: { name: 'x' }, spec });
    const targetRefs = [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', name: 'r' }];
    const limit = { requests: 5, unit: 'Minute' };
    expect(() => validateObject(policy({ targetRefs, rateLimit: { type: 'Local', local: { rules: [{ limit }] } } }))).not.toThrow();
    expect(() => validateObject(policy({ targetRefs, rateLimit: { type: 'Local', local: { rules: [{ limit: { ...limit, unit: 'Fortnight' } }] } } }))).toThrow(
      /unit: must be one of/,
    );
    expect(() => validateObject(policy({ targetRefs, rateLimits: {} }))).toThrow(/unknown field rateLimits/);
  });
});
