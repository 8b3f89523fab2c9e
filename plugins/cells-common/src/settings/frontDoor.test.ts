import { readCellsSettings, SettingsError } from './read';

const JWKS = '{"keys":[{"kty":"EC","crv":"P-256","x":"a","y":"b"}]}';
const gateway = (front: Record<string, unknown>) => readCellsSettings({ gateway: front }).gateway;

describe('the front-door settings (cells.gateway)', () => {
  it('defaults to Istio, no providers, and authentication required', () => {
    expect(gateway({})).toMatchObject({ implementation: 'istio', jwtProviders: [], requireAuthentication: true });
  });

  it('reads providers by URL or inline key set, sorted by name, audiences sorted and unique', () => {
    const read = gateway({
      implementation: 'envoy-gateway',
      requireAuthentication: 'strict',
      jwtProviders: [
        { name: 'partners', issuer: 'https://partners.example', jwks: JWKS },
        { name: 'corp', issuer: 'https://login.corp.example', jwksUri: 'https://login.corp.example/keys', audiences: ['b', 'a', 'b'] },
      ],
    });
    expect(read.implementation).toBe('envoy-gateway');
    expect(read.requireAuthentication).toBe('strict');
    expect(read.jwtProviders).toEqual([
      { name: 'corp', issuer: 'https://login.corp.example', jwksUri: 'https://login.corp.example/keys', audiences: ['a', 'b'] },
      { name: 'partners', issuer: 'https://partners.example', jwks: JWKS },
    ]);
  });

  const provider = { name: 'corp', issuer: 'https://corp.example', jwksUri: 'https://corp.example/keys' };
  it.each([
    [{ implementation: 'nginx' }, 'gateway.implementation'],
    [{ requireAuthentication: 'yes' }, 'gateway.requireAuthentication'],
    [{ jwtProviders: {} }, 'gateway.jwtProviders'],
    [{ jwtProviders: [{ ...provider, jwks: JWKS }] }, 'gateway.jwtProviders[0]'],
    [{ jwtProviders: [{ name: 'corp', issuer: 'https://corp.example' }] }, 'gateway.jwtProviders[0]'],
    [{ jwtProviders: [{ ...provider, name: 'Corp IdP' }] }, 'gateway.jwtProviders[0].name'],
    [{ jwtProviders: [{ ...provider, issuer: ' https://corp.example' }] }, 'gateway.jwtProviders[0].issuer'],
    [{ jwtProviders: [{ ...provider, jwksUri: 'corp.example/keys' }] }, 'gateway.jwtProviders[0].jwksUri'],
    [{ jwtProviders: [{ name: 'corp', issuer: 'https://corp.example', jwks: '{"keys": []}' }] }, 'gateway.jwtProviders[0].jwks'],
    [{ jwtProviders: [{ ...provider, audiences: [] }] }, 'gateway.jwtProviders[0].audiences'],
    [{ jwtProviders: [{ ...provider, audience: ['a'] }] }, 'gateway.jwtProviders[0].audience'],
    [{ jwtProviders: [provider, provider] }, 'gateway.jwtProviders[1].name'],
    [{ jwtProviders: [provider, { ...provider, name: 'other' }] }, 'gateway.jwtProviders[1].issuer'],
  ])('refuses %j, naming %s', (front, key) => {
    let error: unknown;
    try {
      gateway(front);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SettingsError);
    expect((error as SettingsError).key).toBe(key);
    expect((error as SettingsError).message).toMatch(new RegExp(`^cells\\.${key.replace(/[.[\]]/g, '\\$&')}: .+ Fix: .+\\.$`));
  });
});
