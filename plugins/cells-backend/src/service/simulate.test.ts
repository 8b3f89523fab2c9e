import { outsideProbe, requestToken } from './simulate';

const from = 'kennedy/weather-station';

describe('outsideProbe: which request a simulate body stands for', () => {
  it.each([
    // body -> the probe outside the cluster (undefined: a component's endpoint)
    [{ from, to: 'houston/capcom' }, undefined],
    [{ from, to: 'houston/capcom', endpoint: 'http', method: 'POST', path: '/x' }, undefined],
    [
      { from, toHost: 'api.weather.gov', port: 443 },
      { host: 'api.weather.gov', port: 443, protocol: 'TLS' },
    ],
    [
      { from, toHost: 'api.weather.gov', port: 80, protocol: 'HTTP' as const },
      { host: 'api.weather.gov', port: 80, protocol: 'HTTP', method: 'GET', path: '/' },
    ],
    [
      { from, toHost: 'api.weather.gov', port: 80, protocol: 'HTTP' as const, method: 'post', path: '/x' },
      { host: 'api.weather.gov', port: 80, protocol: 'HTTP', method: 'POST', path: '/x' },
    ],
    [
      { from: { rogue: 'kennedy' }, toIp: '169.254.169.254', port: 80 },
      { ip: '169.254.169.254', port: 80, protocol: 'TCP' },
    ],
    [
      { from, toIp: '10.20.8.1', port: 5432, protocol: 'TCP' as const },
      { ip: '10.20.8.1', port: 5432, protocol: 'TCP' },
    ],
  ])('%j -> %j', (body, probe) => {
    expect(outsideProbe(body)).toEqual(probe);
  });

  it.each([
    [{ from }, 'to: give exactly one of to (a component), toHost or toIp (outside the cluster)'],
    [
      { from, toHost: 'a.example', toIp: '192.0.2.1', port: 1 },
      'to: give exactly one of to (a component), toHost or toIp (outside the cluster), not toHost and toIp',
    ],
    [
      { from, to: 'houston/capcom', protocol: 'TLS' as const },
      "protocol: only a request outside the cluster (toHost or toIp) takes protocol; a component's port is its endpoint",
    ],
    [{ from, toIp: '192.0.2.1' }, 'port: required with toIp'],
    [{ from, toHost: 'a.example', port: 443, path: '/x' }, 'path: only an HTTP request has a method and path; set protocol HTTP'],
    [{ from, toHost: 'a.example', port: 443, endpoint: 'http' }, 'endpoint: a destination outside the cluster has no endpoint; give port'],
    [
      { from: { gateway: true as const }, toIp: '192.0.2.1', port: 80 },
      'from: the external gateway makes no calls outside the cluster; give a component or { rogue: <cell> }',
    ],
  ])('%j is refused: %s', (body, message) => {
    expect(() => outsideProbe(body)).toThrow(message);
  });
});

describe('requestToken: the bearer token a simulate body carries', () => {
  const gateway = { gateway: true as const };
  const claims = { iss: 'https://idp.artemis.example', sub: 'fd', aud: ['flight-ops'], scope: 'mission.control' };
  const base64url = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  // The signature part is not a signature at all: the analysis reads only the payload, and says so.
  const jwt = `${base64url({ alg: 'ES256' })}.${base64url(claims)}.not-a-signature`;

  it('reads no token as none, a claims object, claims as JSON text and a compact JWT alike', () => {
    expect(requestToken({ from: gateway, to: 'houston/flight-director' })).toBeUndefined();
    const read = { issuer: claims.iss, subject: 'fd', audiences: ['flight-ops'], claims };
    expect(requestToken({ from: gateway, to: 'houston/flight-director', token: claims })).toEqual(read);
    expect(requestToken({ from: gateway, to: 'houston/flight-director', token: JSON.stringify(claims) })).toEqual(read);
    expect(requestToken({ from: gateway, to: 'houston/flight-director', token: jwt })).toEqual(read);
  });

  it.each([
    [{ from, to: 'houston/flight-director', token: claims }, 'token: only a request from the external gateway ({ gateway: true }) carries a token here'],
    [{ from: { rogue: 'houston' }, to: 'houston/flight-director', token: claims }, 'token: only a request from the external gateway'],
    [{ from: gateway, toHost: 'a.example', port: 443, token: claims }, 'token: only a request to a component (to) carries a token; remove token'],
    [{ from: gateway, to: 'houston/flight-director', token: 'abc' }, 'token: neither a JSON object of claims nor a JWT (header.payload.signature). Fix:'],
    [{ from: gateway, to: 'houston/flight-director', token: 'a.b!.c' }, 'token: a JWT part is not base64url'],
    [{ from: gateway, to: 'houston/flight-director', token: `a.${base64url([1])}.c` }, 'token: the JWT payload is not a JSON object of claims'],
    [{ from: gateway, to: 'houston/flight-director', token: { iss: 7 } }, 'token: iss must be a string'],
    [{ from: gateway, to: 'houston/flight-director', token: { aud: [1] } }, 'token: aud must be a string or a list of strings'],
  ])('%j is refused: %s', (body, message) => {
    expect(() => requestToken(body)).toThrow(message);
  });
});
