import { authLabel, authText, gatewayEdgeText, operationsText, rateLimitLabel, rateLimitText } from './frontDoor';
import { testTopology } from './testTopology';

describe('the front door in words', () => {
  it.each([
    [undefined, 'no authentication declared (open: cells.gateway.requireAuthentication is false)', 'open'],
    [{ kind: 'none' as const }, 'open to anyone (auth: none)', 'open'],
    [{ kind: 'jwt' as const, provider: 'idp' }, 'token from idp', 'JWT idp'],
    [
      {
        kind: 'jwt' as const,
        provider: 'idp',
        audiences: ['a', 'b'],
        claims: [
          { name: 'scope', values: ['x', 'y'] },
          { name: 'role', values: ['ops'] },
        ],
      },
      'token from idp (audiences a or b; scope: x and y; role: ops)',
      'JWT idp',
    ],
  ])('auth %j: %s', (auth, text, label) => {
    expect(authText(auth)).toBe(text);
    expect(authLabel(auth)).toBe(label);
  });

  it.each([
    [undefined, 'none', undefined],
    [{ requests: 5, per: 'second' as const, by: { kind: 'client-ip' as const } }, '5 per second per client address', '5/s'],
    [{ requests: 100, per: 'hour' as const, by: { kind: 'header' as const, name: 'x-api-key' } }, '100 per hour per header x-api-key', '100/h'],
  ])('rate limit %j: %s', (rateLimit, text, label) => {
    expect(rateLimitText(rateLimit)).toBe(text);
    expect(rateLimitLabel(rateLimit)).toBe(label);
  });

  it('lists the operations as declared, or says there are none', () => {
    expect(operationsText({ operations: [{ method: 'POST', path: '/decision/abort' }] })).toBe('POST /decision/abort');
    expect(operationsText({})).toBe('none declared');
  });

  it('describes a gateway edge by the front door of each endpoint it leads to, each once', () => {
    const topology = testTopology();
    const gateway = topology.edges.filter(e => e.from === 'gateway');
    const text = gatewayEdgeText(topology.components, [...gateway, ...gateway]);
    expect(text.label).toBe('JWT artemis-idp, 20/min');
    expect(text.detail).toHaveLength(1);
    // An edge to an endpoint the topology does not list says nothing of it rather than guess.
    expect(gatewayEdgeText(topology.components, [{ ...gateway[0], endpoint: 'gone' }])).toEqual({ label: '', detail: [] });
  });
});
