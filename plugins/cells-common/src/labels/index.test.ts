import { compileSelector, matchesSelector, readStringMap, selectorFromMap } from '.';

describe('label selectors', () => {
  const labels = { app: 'web', tier: 'front' };

  it.each([
    [{}, true],
    [{ matchLabels: { app: 'web' } }, true],
    [{ matchLabels: { app: 'web', tier: 'back' } }, false],
    [{ matchExpressions: [{ key: 'app', operator: 'In', values: ['web', 'api'] }] }, true],
    [{ matchExpressions: [{ key: 'app', operator: 'In', values: ['api'] }] }, false],
    [{ matchExpressions: [{ key: 'app', operator: 'NotIn', values: ['api'] }] }, true],
    [{ matchExpressions: [{ key: 'app', operator: 'NotIn', values: ['web'] }] }, false],
    // NotIn matches objects without the key at all
    [{ matchExpressions: [{ key: 'role', operator: 'NotIn', values: ['db'] }] }, true],
    [{ matchExpressions: [{ key: 'tier', operator: 'Exists' }] }, true],
    [{ matchExpressions: [{ key: 'role', operator: 'Exists' }] }, false],
    [{ matchExpressions: [{ key: 'role', operator: 'DoesNotExist' }] }, true],
    [{ matchExpressions: [{ key: 'app', operator: 'DoesNotExist' }] }, false],
    // matchLabels and matchExpressions are ANDed
    [{ matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['back'] }] }, false],
  ])('%j matches {app: web, tier: front}: %s', (selector, expected) => {
    expect(matchesSelector(selector as never, labels)).toBe(expected);
  });

  it('the empty selector selects everything, even objects without labels', () => {
    expect(matchesSelector({}, {})).toBe(true);
    expect(compileSelector({}, 's').selector!.selectsAll).toBe(true);
  });

  it.each([
    [{ matchExpressions: [{ key: 'a', operator: 'Equals', values: ['x'] }] }, 'unknown operator'],
    [{ matchExpressions: [{ key: 'a', operator: 'In' }] }, 'needs at least one value'],
    [{ matchExpressions: [{ key: 'a', operator: 'Exists', values: ['x'] }] }, 'takes no values'],
    [{ matchLabels: { a: 1 } }, 'must be a string'],
    [{ matchLabel: { a: 'b' } }, 'unknown field'],
    ['app=web', 'must be a label selector object'],
  ])('malformed selector %j is reported, not guessed', (selector, message) => {
    const { selector: compiled, problems } = compileSelector(selector, 'spec.podSelector');
    expect(compiled).toBeUndefined();
    expect(problems[0].message).toContain(message);
    expect(problems[0].field).toMatch(/^spec\.podSelector/);
  });

  it('applies a key transform (as Cilium strips k8s:) before matching', () => {
    const { selector } = compileSelector({ matchLabels: { 'k8s:app': 'web' } }, 's', k => k.replace(/^k8s:/, ''));
    expect(selector!.matches({ app: 'web' })).toBe(true);
    expect(selector!.keys).toEqual(['app']);
  });

  it('selectorFromMap is an equality selector; empty selects all', () => {
    expect(selectorFromMap({ app: 'web' }).matches(labels)).toBe(true);
    expect(selectorFromMap({ app: 'api' }).matches(labels)).toBe(false);
    expect(selectorFromMap({}).matches({})).toBe(true);
  });

  it('readStringMap reports YAML booleans and numbers instead of coercing them', () => {
    const { map, problems } = readStringMap({ a: 'x', b: true, c: 8080 }, 'metadata.labels');
    expect(map).toEqual({ a: 'x' });
    expect(problems.map(p => p.field)).toEqual(['metadata.labels.b', 'metadata.labels.c']);
    expect(problems[0].message).toContain('"true"');
  });
});
