import { normalizeRequestPath, pathTemplateMatches, pathTemplateProblem } from './httpPath';

describe('normalizeRequestPath: what Envoy 1.40 with normalize_path (and no slash merging) gives, observed request by request', () => {
  it.each([
    ['/a/b', '/a/b'],
    ['/a/b?x=1', '/a/b'],
    ['/a/b?x=/../c', '/a/b'],
    ['/a?', '/a'],
    ['/a#b', '/a'],
    ['/a/../b', '/b'],
    ['/../a', '/a'],
    ['/a/..', '/'],
    ['/a/.', '/a/'],
    ['/a/./b', '/a/b'],
    ['/a/%2e%2e/b', '/b'],
    ['/a/.%2e/b', '/b'],
    ['/a/%2E/b', '/a/b'],
    ['/a/b/%2E%2E', '/a/'],
    ['/%2e', '/'],
    ['/a%2e%2e', '/a..'],
    ['/a/...', '/a/...'],
    ['/a/..b', '/a/..b'],
    ['/%61%62', '/ab'],
    ['/a%41', '/aA'],
    ['/a%7eb', '/a~b'],
    ['/a%2db', '/a-b'],
    ['/a%5fb', '/a_b'],
    ['/a%2eb', '/a.b'],
    ['/a%2fb', '/a%2fb'],
    ['/a%2Fb', '/a%2Fb'],
    ['/a%2F..%2Fb', '/a%2F..%2Fb'],
    ['/a/..%2fb', '/a/..%2fb'],
    ['/a%3fb', '/a%3fb'],
    ['/a%25b', '/a%25b'],
    ['/a%20b', '/a%20b'],
    ['/a%zz', '/a%zz'],
    ['/a%', '/a%'],
    ['/a\\b', '/a/b'],
    ['/a%5cb', '/a%5cb'],
    ['//a', '//a'],
    ['/a//b', '/a//b'],
    ['/a/b/', '/a/b/'],
    ['/a/b//', '/a/b//'],
    ['/a;b', '/a;b'],
    ['/a|b', '/a%7Cb'],
    ['/a<b>', '/a%3Cb%3E'],
    ['/a"b', '/a%22b'],
    ['/~a', '/~a'],
    ['/a*b', '/a*b'],
  ])('%s reads as %s', (target, expected) => {
    expect(normalizeRequestPath(target)).toBe(expected);
  });
});

describe("path templates: Istio's admission check and Envoy's uri_template", () => {
  it.each([
    ['/api/{*}', undefined],
    ['/api/{**}', undefined],
    ['/{**}/x', undefined],
    ['/api/{*}/x/{**}', undefined],
    ['/a/{x}', "'{' and '}'"],
    ['/a/{x}/b', "'{' and '}'"],
    ['/api/{**}/{*}', 'must be the last'],
    ['/{*}x', "'{' and '}'"],
    ['/api/{*}/a b', 'not a valid path segment'],
    ['/a b', undefined],
  ])('%s: %s', (path, problem) => {
    const found = pathTemplateProblem(path) ?? 'none';
    expect(found).toContain(problem ?? 'none');
  });
  it.each([
    ['/api/{*}', '/api/v1', true],
    ['/api/{*}', '/api/v1/x', false],
    ['/api/{*}', '/api/', false],
    ['/api/{*}', '/api', false],
    ['/api/{*}/x', '/api/v1/x', true],
    ['/api/{**}', '/api/', true],
    ['/api/{**}', '/api/v1/x/y', true],
    ['/api/{**}', '/api', false],
    ['/{**}/x', '/a/b/x', true],
    ['/{**}/x', '//x', true],
    ['/{**}/x', '/x', false],
    ['/{*}', '/a%2Fb', true],
    ['/{*}', '/a|b', false],
  ])('%s against %s: %s', (template, path, expected) => {
    expect(pathTemplateMatches(template, path)).toBe(expected);
  });
});
