import fc from 'fast-check';
import { dump } from 'js-yaml';
import { documentYaml, toYaml } from './yaml';
import { KubeObject } from './context';

// The emitter must write exactly what js-yaml writes with these options (the goldens' writer).
const jsYaml = (value: unknown) => dump(value, { lineWidth: -1, noRefs: true, quotingType: '"' });

describe('toYaml', () => {
  it('writes every short string over YAML-significant characters as js-yaml does, as key, value and item', () => {
    const alphabet = [
      'a',
      'Y',
      'n',
      'N',
      'o',
      'f',
      'e',
      'x',
      '0',
      '1',
      '.',
      '/',
      '*',
      ':',
      '-',
      '_',
      ' ',
      '#',
      '~',
      '"',
      "'",
      '\\',
      '=',
      '<',
      '[',
      '{',
      '!',
      '&',
      '%',
      '@',
      '`',
      '|',
      '>',
      '?',
      ',',
    ];
    const strings = [''];
    for (const a of alphabet) {
      strings.push(a);
      for (const b of alphabet) {
        strings.push(a + b);
        for (const c of ['a', '0', '.', ':', '*', ' ', '-', 'e', '/']) strings.push(a + b + c);
      }
    }
    const mismatches = strings.filter(s => {
      const value = { [s]: s, list: [s, { [s]: [s] }] };
      return documentYaml(value) !== jsYaml(value);
    });
    expect(mismatches).toEqual([]);
  });

  it.each([
    'yes',
    'Yes',
    'NO',
    'on',
    'Off',
    'TRUE',
    'False',
    'null',
    'Null',
    'y',
    'N',
    'yES',
    'nuLL',
    '~',
    '.inf',
    '-.Inf',
    '.NaN',
    '1e3',
    '0x1f',
    '0o17',
    '1_000',
    '2001-01-01',
    '2001-12-14t21:59:43.10-05:00',
    '12:30',
    '+1',
    '<<',
    '=',
    '8080',
    '-1',
    'a:',
    'a: b',
    'a #b',
    ' lead',
    'trail ',
    'é',
    'snow ☃',
    'line\nbreak',
    'tab\there',
    'cluster.local/ns/a/sa/b',
    '169.254.7.127/32',
    '/api/v0/*',
    'component:default/x',
    'istio.io/use-waypoint',
  ])('writes %j as js-yaml does', s => {
    const value = { [s]: s, list: [s, [s], { [s]: s }] };
    expect(documentYaml(value)).toBe(jsYaml(value));
  });

  it.each([
    [{ a: undefined, b: 1 }],
    [{ a: { b: undefined } }],
    [{ e: [[1, 2], [], {}], f: [[[]]] }],
    [[{ a: 1, b: [1, { c: [] }] }, {}, null, true, false, -5]],
    [{ float: 1.5, negativeZero: -0, big: 2 ** 60, date: new Date(0) }],
    [{ holes: [1, undefined, 3] }],
    [{}],
    [[]],
  ])('writes %j as js-yaml does (empty collections, undefined, floats and dates)', value => {
    expect(documentYaml(value)).toBe(jsYaml(value));
  });

  it('writes random plain data as js-yaml does', () => {
    const text = fc.oneof(
      fc.constantFrom('', 'a', 'true', 'no', '8080', '/a/*', 'a:b', 'x y', '-', '*', 'é', 'a\nb', 'cluster.local/ns/n/sa/s'),
      fc.string({ maxLength: 6 }),
    );
    const leaf = fc.oneof(text, fc.integer(), fc.boolean(), fc.constant(null));
    const value = fc.letrec(tie => ({
      node: fc.oneof({ depthSize: 'small' }, leaf, tie('list'), tie('map')),
      list: fc.array(tie('node'), { maxLength: 4 }),
      map: fc.dictionary(text, tie('node'), { maxKeys: 4 }),
    })).map;
    fc.assert(
      fc.property(value, v => {
        expect(documentYaml(v)).toBe(jsYaml(v));
      }),
      { numRuns: 2000, seed: 1234 },
    );
  });

  it('joins documents with ---', () => {
    const objects = [
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'a', labels: { x: 'true' } } },
      { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'b', namespace: 'a' }, automountServiceAccountToken: false },
    ] as KubeObject[];
    expect(toYaml(objects)).toBe(objects.map(jsYaml).join('---\n'));
    expect(toYaml([])).toBe('');
  });
});
