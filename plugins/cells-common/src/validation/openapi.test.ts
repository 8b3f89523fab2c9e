import { istioPathFor, parseOpenApi } from './openapi';

const doc = (paths: string, extra = '') => `openapi: 3.0.3\ninfo: { title: t, version: '1' }\n${extra}paths:\n${paths}`;

describe('parseOpenApi', () => {
  it('reads each method x path template with its operationId, sorted, parameters as Istio {*} templates', () => {
    const { operations, problems } = parseOpenApi(
      doc(`  /missions/{missionId}/abort:
    post: { operationId: abort }
    parameters: [{ name: missionId, in: path }]
  /dashboard:
    get: { operationId: dash }
    head: {}
    summary: not an operation
`),
    );
    expect(problems).toEqual([]);
    expect(operations).toEqual([
      { method: 'GET', path: '/dashboard', match: '/dashboard', example: '/dashboard', operationId: 'dash' },
      { method: 'HEAD', path: '/dashboard', match: '/dashboard', example: '/dashboard' },
      { method: 'POST', path: '/missions/{missionId}/abort', match: '/missions/{*}/abort', example: '/missions/missionId/abort', operationId: 'abort' },
    ]);
  });

  it('reads JSON too, and prepends the one base path of servers', () => {
    const json = JSON.stringify({ openapi: '3.1.0', servers: [{ url: 'https://api.example/v1/' }, { url: '/v1' }], paths: { '/a': { get: {} } } });
    expect(parseOpenApi(json)).toEqual({ operations: [{ method: 'GET', path: '/v1/a', match: '/v1/a', example: '/v1/a' }], problems: [] });
  });

  it.each([
    [undefined, 'spec.definition', /is not an OpenAPI document/],
    ['openapi: [', 'spec.definition', /is not YAML or JSON/],
    ['swagger: "2.0"\npaths: {}', 'openapi', /"2.0" is not an OpenAPI 3 version/],
    [doc('  {}'), 'paths', /declares no operation/],
    [doc('  a: { get: {} }'), 'paths["a"]', /does not start with \//],
    [doc('  /a/*: { get: {} }'), 'paths["/a/*"]', /not a path template/],
    [doc('  /a: { $ref: "#/x" }'), 'paths["/a"].$ref', /referenced path item/],
    [
      doc('  /a: { get: { operationId: x } }\n  /b: { post: { operationId: x } }'),
      'paths["/b"].post.operationId',
      /"x" is also the operationId of paths\["\/a"\].get/,
    ],
    [doc('  /a: { get: { operationId: 3 } }'), 'paths["/a"].get.operationId', /is not a name/],
    [doc('  /a: { get: {} }', 'servers: [{ url: /v1 }, { url: /v2 }]\n'), 'servers', /different base paths/],
    [doc('  /a: { get: {} }\n  /a: { post: {} }'), 'spec.definition', /not YAML or JSON/],
  ])('refuses %j at %s', (definition, at, message) => {
    const { operations, problems } = parseOpenApi(definition);
    expect(problems).toContainEqual(expect.objectContaining({ at, message: expect.stringMatching(message) }));
    expect(problems.every(p => p.fix.length > 0)).toBe(true);
    // A refused document is read as a whole or not at all by servedApis; here the rest is still listed.
    expect(operations.some(o => o.path.includes('*'))).toBe(false);
  });
});

describe('istioPathFor', () => {
  it.each([
    ['/a/b', '/a/b'],
    ['/a/{id}', '/a/{*}'],
    ['/a/{id}/b/{c}', '/a/{*}/b/{*}'],
    // Istio templates whole segments only: a parameter inside one becomes the prefix above it (wider, documented).
    ['/files/{name}.json', '/files/*'],
    ['/a/{id}/x{y}', '/a/*'],
  ])('%s -> %s', (template, match) => {
    expect(istioPathFor(template).match).toBe(match);
  });
});
