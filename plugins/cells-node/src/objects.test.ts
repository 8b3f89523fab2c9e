import { isDeepStrictEqual } from 'node:util';
import type { KubeObject } from '@cellplane/cells-common';
import { compareObjects, fieldDiff, managedDiff, managedPart, objectId, objectName, objectRef, unwantedObjects } from './objects';

const object = (kind: string, name: string, spec: object = {}, namespace = 'ns'): KubeObject => ({
  apiVersion: 'v1',
  kind,
  metadata: { name, namespace },
  spec,
});

describe('object identity', () => {
  it('is apiVersion, kind, namespace and name', () => {
    const a = object('Service', 'api');
    expect(objectId(a)).toBe(objectId({ ...a, metadata: { ...a.metadata, labels: { other: 'true' } } } as KubeObject));
    expect(objectId(a)).not.toBe(objectId({ ...a, metadata: { name: 'api', namespace: 'other' } }));
    expect(objectId(a)).not.toBe(objectId({ ...a, apiVersion: 'v2' }));
    expect(objectRef({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'n' } })).toEqual({ apiVersion: 'v1', kind: 'Namespace', name: 'n' });
    expect(objectName(a)).toBe('Service ns/api');
  });
});

describe('compareObjects and unwantedObjects', () => {
  const differs = (d: KubeObject, a: KubeObject) => !isDeepStrictEqual(d, a);

  it.each([
    // desired, held, create, update, prune, unchanged
    ['nothing held', [object('S', 'a')], [], ['a'], [], [], 0],
    ['the same', [object('S', 'a')], [object('S', 'a')], [], [], [], 1],
    ['changed', [object('S', 'a', { x: 1 })], [object('S', 'a', { x: 2 })], [], ['a'], [], 0],
    ['no longer wanted', [object('S', 'a')], [object('S', 'a'), object('S', 'b')], [], [], ['b'], 1],
    ['same name, other kind', [object('S', 'a')], [object('T', 'a')], ['a'], [], ['a'], 0],
    ['a held copy twice', [object('S', 'a')], [object('S', 'a'), object('S', 'a', { x: 1 })], [], [], [], 1],
  ])('%s', (_case, desired, held, create, update, prune, unchanged) => {
    const changes = compareObjects(desired as KubeObject[], held as KubeObject[], differs);
    expect({
      create: changes.create.map(r => r.name),
      update: changes.update.map(r => r.name),
      prune: changes.prune.map(r => r.name),
      unchanged: changes.unchanged,
    }).toEqual({ create, update, prune, unchanged });
  });

  it('prunes exactly the held objects whose identity no desired object has', () => {
    const held = [object('S', 'a'), object('S', 'b', { changed: true }), object('S', 'c')];
    expect(unwantedObjects([object('S', 'b'), object('S', 'x')], held).map(o => o.metadata.name)).toEqual(['a', 'c']);
  });
});

describe('fieldDiff, exact (files)', () => {
  it('is empty for equal values', () => {
    expect(fieldDiff({ a: [1, { b: 'x' }] }, { a: [1, { b: 'x' }] })).toEqual([]);
  });

  it('names the leaves that differ, with array indexes and quoted keys, extra keys included', () => {
    const expected = {
      metadata: { labels: { 'app.kubernetes.io/name': 'a' } },
      spec: { rules: [{ from: [{ source: { principals: ['p1'] } }], to: [{ operation: { methods: ['GET'] } }] }] },
    };
    const actual = {
      metadata: { labels: { 'app.kubernetes.io/name': 'b' }, extra: true },
      spec: { rules: [{ from: [{ source: { principals: ['*'] } }], to: [{ operation: { methods: ['GET', 'DELETE'] } }] }] },
    };
    expect(fieldDiff(expected, actual)).toEqual([
      'metadata.extra: (absent) -> true',
      'metadata.labels["app.kubernetes.io/name"]: "a" -> "b"',
      'spec.rules[0].from[0].source.principals[0]: "p1" -> "*"',
      'spec.rules[0].to[0].operation.methods[1]: (absent) -> "DELETE"',
    ]);
  });

  it('shows a changed type whole, and a removed list item', () => {
    expect(fieldDiff({ a: { b: 1 } }, { a: 'x' })).toEqual(['a: {"b":1} -> "x"']);
    expect(fieldDiff(1, 2)).toEqual(['(root): 1 -> 2']);
    expect(fieldDiff({ a: [1, 2] }, { a: [1] })).toEqual(['a[1]: 2 -> (absent)']);
  });
});

describe('managedDiff (live objects)', () => {
  const compiled = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'api', namespace: 'ns', labels: { a: '1' } },
    spec: { selector: { app: 'api' }, ports: [{ name: 'http', port: 8080 }], empty: {} },
  };

  it('ignores server defaults, status, server-set metadata and empty values the server dropped', () => {
    const live = {
      ...compiled,
      metadata: { ...compiled.metadata, uid: 'u', resourceVersion: '5', labels: { a: '1', extra: 'x' } },
      spec: { selector: compiled.spec.selector, clusterIP: '10.96.0.5', ports: [{ name: 'http', port: 8080, protocol: 'TCP', targetPort: 8080 }] },
      status: { loadBalancer: {} },
    };
    expect(managedDiff(compiled, live)).toEqual([]);
    expect(managedPart({ ...compiled, status: { x: 1 } } as never)).toEqual({ ...compiled, metadata: { ...compiled.metadata, annotations: undefined } });
  });

  it('names each changed, removed or added managed field: lists are compared whole', () => {
    const live = {
      ...compiled,
      metadata: { ...compiled.metadata, labels: {} },
      spec: { selector: { app: 'other' }, ports: [compiled.spec.ports[0], { name: 'debug', port: 9000 }] },
    };
    expect(managedDiff(compiled, live)).toEqual([
      'metadata.labels.a: "1" -> (absent)',
      'spec.ports[1]: (absent) -> {"name":"debug","port":9000}',
      'spec.selector.app: "api" -> "other"',
    ]);
  });
});
