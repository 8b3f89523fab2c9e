/**
 * The front door through the real plugin, with the example's identity provider
 * (app-config.yaml's artemis-idp): /simulate judges a request from the gateway
 * with the token it carries (claims, or a JWT whose signature is not checked),
 * and /topology tells the page each public endpoint's auth and operations.
 */
import fs from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { mockCredentials } from '@backstage/backend-test-utils';
import { artemisGateway } from './__testUtils__/artemis';
import { expectMatchesSpec, startCellsPlugin } from './__testUtils__/pluginHarness';

jest.setTimeout(120_000);

const user = mockCredentials.user.header('user:default/alice');
const TOKENS = path.resolve(__dirname, '../../../examples/artemis-tokens');
const tokenOf = (name: string) => JSON.parse(fs.readFileSync(path.join(TOKENS, `${name}.json`), 'utf8'));
const base64url = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('the front door on the real plugin', () => {
  let t: Awaited<ReturnType<typeof startCellsPlugin>>;
  beforeAll(async () => {
    t = await startCellsPlugin([], { gateway: artemisGateway() });
  });
  afterAll(async () => {
    await t.backend.stop();
  });

  const abort = (token?: unknown) =>
    request(t.server)
      .post('/api/cells/simulate')
      .set('Authorization', user)
      .send({ from: { gateway: true }, to: 'houston/flight-director', method: 'POST', path: '/decision/abort', ...(token !== undefined ? { token } : {}) });

  it("POST /simulate: the abort through the gateway is denied without a token and allowed with the flight director's", async () => {
    const none = await abort();
    expect(none.status).toBe(200);
    expectMatchesSpec('/simulate', 'post', 200, none.body);
    expect(none.body).toMatchObject({ allowed: false, decidedBy: 'edge-auth', edge: { verdict: 'deny', reason: 'no-token' } });

    const claims = await abort(tokenOf('flight-director'));
    expect(claims.status).toBe(200);
    expectMatchesSpec('/simulate', 'post', 200, claims.body);
    expect(claims.body).toMatchObject({ allowed: true, decidedBy: null, edge: { verdict: 'allow', reason: 'authenticated' } });
    // The mesh layers saw the token too: the waypoint's DENY policy on the token agrees with the front door.
    expect(claims.body.layers.map((l: any) => [l.layer, l.verdict])).toContainEqual(['L7', 'allow']);

    // The same claims as a compact JWT: only the payload is read, the signature part is not checked.
    const jwt = await abort(`${base64url({ alg: 'ES256', kid: 'artemis-example-1' })}.${base64url(tokenOf('flight-director'))}.unchecked`);
    expect(jwt.body).toMatchObject({ allowed: true, edge: { reason: 'authenticated' } });
  });

  it('POST /simulate: a token without the required scope, or of another issuer, is denied at the front door with why', async () => {
    const observer = await abort(tokenOf('observer'));
    expect(observer.body).toMatchObject({ allowed: false, decidedBy: 'edge-auth', edge: { reason: 'missing-claim' } });
    expect(observer.body.edge.message).toBe("the token's claim scope does not hold mission.control");
    const foreign = await abort(JSON.stringify(tokenOf('foreign-issuer')));
    expect(foreign.body).toMatchObject({ allowed: false, decidedBy: 'edge-auth', edge: { reason: 'unknown-issuer' } });
  });

  it('POST /simulate refuses a token it cannot read, or on a request that carries none, with 400 naming token', async () => {
    for (const [body, message] of [
      [{ from: { gateway: true }, to: 'houston/flight-director', token: 'not-a-token' }, /^token: neither a JSON object of claims nor a JWT/],
      [{ from: { gateway: true }, to: 'houston/flight-director', token: { aud: 7 } }, /^token: aud must be a string or a list of strings/],
      [{ from: 'houston/capcom', to: 'houston/flight-director', token: tokenOf('flight-director') }, /^token: only a request from the external gateway/],
      [{ from: { gateway: true }, to: 'houston/flight-director', token: 42 }, /token/],
    ] as const) {
      const res = await request(t.server).post('/api/cells/simulate').set('Authorization', user).send(body);
      expect([res.status, res.body.error?.message]).toEqual([400, expect.stringMatching(message)]);
    }
  });

  it("GET /topology: flight-director's public endpoint carries its auth and operations", async () => {
    const res = await request(t.server).get('/api/cells/topology?environment=development').set('Authorization', user);
    expect(res.status).toBe(200);
    expectMatchesSpec('/topology', 'get', 200, res.body);
    const director = res.body.components.find((c: any) => c.entityRef === 'component:default/flight-director');
    expect(director.endpoints).toEqual([
      {
        name: 'http',
        port: 8080,
        protocol: 'HTTP',
        visibility: 'public',
        // What flight-director-api serves (examples/artemis/houston.yaml), path parameters as templates.
        api: {
          refs: ['api:default/flight-director-api'],
          operations: [
            { method: 'GET', path: '/dashboard', match: '/dashboard', example: '/dashboard', operationId: 'getDashboard' },
            { method: 'POST', path: '/decision/abort', match: '/decision/abort', example: '/decision/abort', operationId: 'abortMission' },
            { method: 'POST', path: '/decision/go-nogo', match: '/decision/go-nogo', example: '/decision/go-nogo', operationId: 'goNoGo' },
            { method: 'GET', path: '/decisions/{decisionId}', match: '/decisions/{*}', example: '/decisions/decisionId', operationId: 'getDecision' },
          ],
        },
        operations: [
          { method: 'GET', path: '/dashboard' },
          { method: 'POST', path: '/decision/abort' },
          { method: 'POST', path: '/decision/go-nogo' },
          { method: 'GET', path: '/decisions/decisionId' },
        ],
        auth: { kind: 'jwt', provider: 'artemis-idp', audiences: ['flight-ops'], claims: [{ name: 'scope', values: ['mission.control'] }] },
      },
    ]);
  });
});
