import { parseToken, TokenError } from './token';

const base64url = (text: string) => Buffer.from(text).toString('base64url');
const jwt = (payload: unknown) => `${base64url('{"alg":"ES256"}')}.${base64url(JSON.stringify(payload))}.c2lnbmF0dXJl`;

describe('reading a token', () => {
  it('reads a JSON object of claims', () => {
    expect(parseToken('{"iss": "https://idp", "sub": "a", "aud": "x", "scope": "s"}')).toEqual({
      issuer: 'https://idp',
      subject: 'a',
      audiences: ['x'],
      claims: { iss: 'https://idp', sub: 'a', aud: 'x', scope: 's' },
    });
  });

  it("decodes a JWT's payload (UTF-8, base64url without padding) and never checks its signature", () => {
    const token = parseToken(`  ${jwt({ iss: 'https://idp', aud: ['x', 'y'], name: 'Zoë ✓' })}\n`);
    expect(token).toMatchObject({ issuer: 'https://idp', audiences: ['x', 'y'], claims: { name: 'Zoë ✓' } });
  });

  it.each([
    ['not a token', 'neither a JSON object of claims nor a JWT'],
    ['{"iss": 1}', 'iss must be a string'],
    ['{"aud": [1]}', 'aud must be a string or a list'],
    ['[1, 2]', 'neither'],
    ['{not json', 'the claims is not JSON'],
    [`a.${base64url('[1]')}.b`, 'is not a JSON object of claims'],
    ['a.b*c.d', 'not base64url'],
  ])('refuses %j, saying why', (text, message) => {
    expect(() => parseToken(text)).toThrow(TokenError);
    expect(() => parseToken(text)).toThrow(message);
  });
});
