import { EndpointAuth, EndpointRateLimit, EndpointSpec, RATE_LIMIT_UNITS, RateLimitUnit } from '../model/types';
import { CellsSettings, DEFAULT_SETTINGS } from '../settings/settings';
import { compareText } from '../order';
import { ProblemList, isRecord } from './fields';
import { checkObjectKeys } from './keys';

/**
 * A claim or header name: letters, digits and `_ . : -`. No brackets or
 * spaces: Istio reads `request.auth.claims[a][b]` as a nested claim.
 */
const CLAIM_NAME = /^[A-Za-z0-9_.:-]{1,64}$/;
const HEADER_NAME = /^[A-Za-z0-9-]{1,64}$/;

/** A required value: no `*`, which Istio's conditions read as a wildcard (a wider policy). */
function valuesError(value: unknown): string | undefined {
  if (!Array.isArray(value) || value.length === 0) return 'must be a non-empty list';
  const bad = value.find(v => typeof v !== 'string' || v === '' || v.includes('*') || v !== v.trim());
  return bad === undefined ? undefined : `${JSON.stringify(bad)} is not an exact value (no *, no surrounding spaces)`;
}

const sortedUnique = (values: string[]) => [...new Set(values)].sort(compareText);

/** `auth: none` or `auth: {provider, audiences?, claims?}` of a public endpoint (shape only; the provider is checked against the settings later). */
export function parseEndpointAuth(list: ProblemList, field: string, value: unknown): EndpointAuth | undefined {
  if (value === 'none') return { kind: 'none' };
  if (!isRecord(value)) {
    list.add(field, `${JSON.stringify(value)} is not an authentication`, 'write auth: none, or auth: {provider: <a cells.gateway.jwtProviders name>}');
    return undefined;
  }
  if (checkObjectKeys(list, field, value, 'spec.endpoints[].auth')) return undefined;
  const before = list.problems.length;
  const { provider, audiences, claims } = value;
  if (typeof provider !== 'string' || provider === '') {
    list.add(
      `${field}.provider`,
      `${JSON.stringify(provider)} is not a provider name`,
      'name a provider of cells.gateway.jwtProviders (ask the platform team)',
    );
  }
  const audienceProblem = audiences === undefined ? undefined : valuesError(audiences);
  if (audienceProblem) list.add(`${field}.audiences`, audienceProblem, 'list the audiences a token may carry, e.g. [flight-ops]');
  const required: { name: string; values: string[] }[] = [];
  if (claims !== undefined) {
    if (!isRecord(claims) || Object.keys(claims).length === 0) {
      list.add(`${field}.claims`, 'must map claim names to lists of values', 'write claims: {scope: [mission.abort]}');
    } else {
      for (const [name, values] of Object.entries(claims)) {
        const problem = !CLAIM_NAME.test(name) ? `${JSON.stringify(name)} is not a claim name` : valuesError(values);
        if (problem) list.add(`${field}.claims.${name}`, problem, 'write a claim name (letters, digits, _ . : -) and the exact values it must hold');
        else required.push({ name, values: sortedUnique(values as string[]) });
      }
    }
  }
  if (list.problems.length > before) return undefined;
  return {
    kind: 'jwt',
    provider: provider as string,
    ...(audiences !== undefined ? { audiences: sortedUnique(audiences as string[]) } : {}),
    ...(required.length ? { claims: required.sort((a, b) => compareText(a.name, b.name)) } : {}),
  };
}

/** `rateLimit: {requests, per, by}` of a public endpoint. */
export function parseRateLimit(list: ProblemList, field: string, value: unknown): EndpointRateLimit | undefined {
  if (!isRecord(value)) {
    list.add(field, 'must be an object', 'write rateLimit: {requests: 100, per: minute, by: client-ip}');
    return undefined;
  }
  if (checkObjectKeys(list, field, value, 'spec.endpoints[].rateLimit')) return undefined;
  const before = list.problems.length;
  const { requests, per, by } = value;
  if (typeof requests !== 'number' || !Number.isInteger(requests) || requests < 1 || requests > 1_000_000_000) {
    list.add(`${field}.requests`, `${JSON.stringify(requests)} is not a number of requests`, 'write a whole number from 1');
  }
  if (!(RATE_LIMIT_UNITS as readonly unknown[]).includes(per)) {
    list.add(`${field}.per`, `${JSON.stringify(per)} is not a unit`, `use one of ${RATE_LIMIT_UNITS.join(', ')}`);
  }
  let client: EndpointRateLimit['by'] | undefined;
  const byText = by ?? 'client-ip';
  if (byText === 'client-ip') client = { kind: 'client-ip' };
  else if (typeof byText === 'string' && byText.startsWith('claim:') && CLAIM_NAME.test(byText.slice(6))) client = { kind: 'claim', name: byText.slice(6) };
  else if (typeof byText === 'string' && byText.startsWith('header:') && HEADER_NAME.test(byText.slice(7))) {
    client = { kind: 'header', name: byText.slice(7).toLowerCase() };
  } else list.add(`${field}.by`, `${JSON.stringify(by)} does not tell clients apart`, 'write client-ip, claim:<claim name> or header:<header name>');
  if (list.problems.length > before || !client) return undefined;
  return { requests: requests as number, per: per as RateLimitUnit, by: client };
}

/** What the front-door checks of the catalog read from the platform settings. */
export interface FrontDoorRules {
  implementation: CellsSettings['gateway']['implementation'];
  requireAuthentication: CellsSettings['gateway']['requireAuthentication'];
  /** cells.mesh.enabled: Istio checks tokens at the cell's waypoint. */
  mesh: boolean;
}

export function frontDoorRules(settings: CellsSettings = DEFAULT_SETTINGS): FrontDoorRules {
  return { implementation: settings.gateway.implementation, requireAuthentication: settings.gateway.requireAuthentication, mesh: settings.mesh.enabled };
}

/**
 * The checks of a public endpoint that depend on the platform: whether it must
 * declare `auth`, whether `none` is allowed, and whether the gateway can
 * enforce its rateLimit. A provider the settings do not define is not an error
 * here (the catalog processor does not read the gateway's providers): the
 * compiler closes that route at the gateway instead (docs/front-door.md).
 */
export function checkFrontDoor(list: ProblemList, field: string, endpoint: Pick<EndpointSpec, 'name' | 'auth' | 'rateLimit'>, rules: FrontDoorRules): void {
  if (!endpoint.auth && rules.requireAuthentication !== false) {
    list.add(
      `${field}.auth`,
      `public endpoint ${endpoint.name} declares no authentication, and cells.gateway.requireAuthentication is ${rules.requireAuthentication}`,
      rules.requireAuthentication === 'strict'
        ? 'write auth: {provider: <a cells.gateway.jwtProviders name>}'
        : 'write auth: {provider: <a cells.gateway.jwtProviders name>}, or auth: none to leave it open to anyone on purpose',
    );
  } else if (endpoint.auth?.kind === 'none' && rules.requireAuthentication === 'strict') {
    list.add(
      `${field}.auth`,
      'auth: none is refused: cells.gateway.requireAuthentication is strict',
      'write auth: {provider: <a cells.gateway.jwtProviders name>}',
    );
  }
  if (endpoint.auth?.kind === 'jwt' && rules.implementation === 'istio' && !rules.mesh) {
    list.add(
      `${field}.auth`,
      "with cells.gateway.implementation istio the token is checked at the cell's waypoint, and cells.mesh.enabled is false",
      'ask the platform team to enable the mesh or to use cells.gateway.implementation: envoy-gateway; or write auth: none',
    );
  }
  if (endpoint.rateLimit?.by.kind === 'claim' && endpoint.auth?.kind !== 'jwt') {
    // Without a verified token the claim is absent, and a request without it would pass every limit.
    list.add(
      `${field}.rateLimit.by`,
      `claim:${endpoint.rateLimit.by.name} needs a token, and the endpoint requires none`,
      'require a token with auth: {provider}, or limit by client-ip',
    );
  }
  if (endpoint.rateLimit && rules.implementation !== 'envoy-gateway') {
    list.add(
      `${field}.rateLimit`,
      `the ${rules.implementation} gateway cannot enforce a rate limit (Istio has no rate-limit API for it)`,
      'remove rateLimit, or ask the platform team for cells.gateway.implementation: envoy-gateway, which enforces it',
    );
  }
}

/** Where auth and rateLimit may be written: public endpoints only (no other caller passes the gateway). */
export function frontDoorFieldsProblem(list: ProblemList, field: string, raw: Record<string, unknown>, visibility: unknown): boolean {
  const fields = ['auth', 'rateLimit'].filter(k => raw[k] !== undefined);
  if (fields.length === 0 || visibility === 'public') return false;
  for (const key of fields) {
    list.add(`${field}.${key}`, `${key} applies at the external gateway, and this endpoint is not public`, `remove ${key}, or make the endpoint public`);
  }
  return true;
}
