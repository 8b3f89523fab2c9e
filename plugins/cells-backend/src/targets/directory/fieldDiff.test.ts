import { fieldDiff } from './fieldDiff';

describe('fieldDiff', () => {
  it('is empty for equal values', () => {
    expect(fieldDiff({ a: [1, { b: 'x' }] }, { a: [1, { b: 'x' }] })).toEqual(
      [],
    );
  });

  it('names the leaves that differ, with array indexes and quoted keys', () => {
    const expected = {
      metadata: { labels: { 'app.kubernetes.io/name': 'a' } },
      spec: {
        rules: [
          {
            from: [{ source: { principals: ['p1'] } }],
            to: [{ operation: { methods: ['GET'] } }],
          },
        ],
      },
    };
    const actual = {
      metadata: { labels: { 'app.kubernetes.io/name': 'b' }, extra: true },
      spec: {
        rules: [
          {
            from: [{ source: { principals: ['*'] } }],
            to: [{ operation: { methods: ['GET', 'DELETE'] } }],
          },
        ],
      },
    };
    expect(fieldDiff(expected, actual)).toEqual([
      'metadata.extra: (absent) -> true',
      'metadata.labels["app.kubernetes.io/name"]: "a" -> "b"',
      'spec.rules[0].from[0].source.principals[0]: "p1" -> "*"',
      'spec.rules[0].to[0].operation.methods[1]: (absent) -> "DELETE"',
    ]);
  });

  it('shows a changed type whole', () => {
    expect(fieldDiff({ a: { b: 1 } }, { a: 'x' })).toEqual([
      'a: {"b":1} -> "x"',
    ]);
    expect(fieldDiff(1, 2)).toEqual(['(root): 1 -> 2']);
  });
});
