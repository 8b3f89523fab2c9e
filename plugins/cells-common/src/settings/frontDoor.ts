import { isRecord } from '../validation/fields';
import { compareText } from '../order';
import { CellsSettings, DEFAULT_SETTINGS, GATEWAY_IMPLEMENTATIONS, GatewayImplementation, JwtProvider } from './settings';
import { SettingsError } from './errors';

/** A provider name: what an endpoint's `auth.provider` writes, and part of compiled object names. */
const PROVIDER_NAME = /^[a-z0-9]([-a-z0-9]{0,30}[a-z0-9])?$/;
const PROVIDER_KEYS = ['name', 'issuer', 'jwksUri', 'jwks', 'audiences'];

function provider(raw: unknown, i: number): JwtProvider {
  const key = `gateway.jwtProviders[${i}]`;
  if (!isRecord(raw)) throw new SettingsError(key, 'must be an object', 'write {name, issuer, jwksUri | jwks, audiences?}');
  const unknown = Object.keys(raw).find(k => !PROVIDER_KEYS.includes(k));
  if (unknown) throw new SettingsError(`${key}.${unknown}`, 'is not a setting', `use ${PROVIDER_KEYS.join(', ')}`);
  const { name, issuer, jwksUri, jwks, audiences } = raw;
  if (typeof name !== 'string' || !PROVIDER_NAME.test(name)) {
    throw new SettingsError(`${key}.name`, `${JSON.stringify(name)} is not a provider name`, 'use lower-case letters, digits and "-", at most 32 characters');
  }
  if (typeof issuer !== 'string' || issuer.trim() === '' || issuer !== issuer.trim() || issuer.includes('*')) {
    throw new SettingsError(`${key}.issuer`, `${JSON.stringify(issuer)} is not an issuer`, "write the tokens' exact iss claim, e.g. https://idp.example.com");
  }
  if ((jwksUri === undefined) === (jwks === undefined)) {
    throw new SettingsError(key, `provider ${name} must give exactly one of jwksUri and jwks`, 'write jwksUri: https://... or jwks: a JSON Web Key Set');
  }
  if (jwksUri !== undefined && (typeof jwksUri !== 'string' || !/^https?:\/\/[^\s/]+(\/\S*)?$/.test(jwksUri))) {
    throw new SettingsError(`${key}.jwksUri`, `${JSON.stringify(jwksUri)} is not a URL`, 'write https://<host>/<path of the key set>');
  }
  if (jwks !== undefined) {
    let keys: unknown;
    try {
      keys = typeof jwks === 'string' ? JSON.parse(jwks) : undefined;
    } catch {
      keys = undefined;
    }
    if (!isRecord(keys) || !Array.isArray(keys.keys) || keys.keys.length === 0) {
      throw new SettingsError(`${key}.jwks`, 'is not a JSON Web Key Set', 'write the key set as a JSON string: {"keys": [{...}]}');
    }
  }
  if (audiences !== undefined && (!Array.isArray(audiences) || audiences.length === 0 || audiences.some(a => typeof a !== 'string' || a === ''))) {
    throw new SettingsError(`${key}.audiences`, `${JSON.stringify(audiences)} is not a list of audiences`, 'list non-empty strings, or leave it out');
  }
  return {
    name,
    issuer,
    ...(jwksUri !== undefined ? { jwksUri: jwksUri as string } : {}),
    ...(jwks !== undefined ? { jwks: jwks as string } : {}),
    ...(audiences !== undefined ? { audiences: [...new Set(audiences as string[])].sort(compareText) } : {}),
  };
}

/** cells.gateway.{implementation, jwtProviders, requireAuthentication}: the front door's settings. */
export function readFrontDoor(gateway: Record<string, unknown>): Pick<CellsSettings['gateway'], 'implementation' | 'jwtProviders' | 'requireAuthentication'> {
  const d = DEFAULT_SETTINGS.gateway;
  const implementation = gateway.implementation ?? d.implementation;
  if (!(GATEWAY_IMPLEMENTATIONS as readonly unknown[]).includes(implementation)) {
    throw new SettingsError(
      'gateway.implementation',
      `${JSON.stringify(implementation)} is not a gateway implementation`,
      `use one of ${GATEWAY_IMPLEMENTATIONS.join(', ')}`,
    );
  }
  const requireAuthentication = gateway.requireAuthentication ?? d.requireAuthentication;
  if (typeof requireAuthentication !== 'boolean' && requireAuthentication !== 'strict') {
    throw new SettingsError('gateway.requireAuthentication', `${JSON.stringify(requireAuthentication)} is not valid`, 'write true, false or strict');
  }
  const raw = gateway.jwtProviders ?? [];
  if (!Array.isArray(raw)) throw new SettingsError('gateway.jwtProviders', 'must be a list', 'list {name, issuer, jwksUri | jwks, audiences?}');
  const jwtProviders = raw.map(provider);
  for (const [i, p] of jwtProviders.entries()) {
    if (jwtProviders.findIndex(q => q.name === p.name) !== i) {
      throw new SettingsError(`gateway.jwtProviders[${i}].name`, `provider ${p.name} is listed twice`, 'give each provider its own name');
    }
    const sameIssuer = jwtProviders.findIndex(q => q.issuer === p.issuer);
    if (sameIssuer !== i) {
      // One issuer, two key sets: the gateway could not tell which keys sign a token.
      throw new SettingsError(
        `gateway.jwtProviders[${i}].issuer`,
        `issuer ${p.issuer} is also provider ${jwtProviders[sameIssuer].name}'s`,
        'list each issuer once',
      );
    }
  }
  return {
    implementation: implementation as GatewayImplementation,
    jwtProviders: jwtProviders.sort((a, b) => compareText(a.name, b.name)),
    requireAuthentication,
  };
}
