import { InputError } from '@backstage/errors';
import {
  EgressProbe,
  RequestToken,
  SimulatedCaller,
  Simulation,
  SimulationResult,
  TokenError,
  parseToken,
  simulateEgress,
  simulateRequest,
  tokenFromClaims,
} from '@cellplane/cells-common';
import type { SimulateBody } from '../schema/types';

const DESTINATIONS = ['to', 'toHost', 'toIp'] as const;

/**
 * What a simulate body asks about: a component (`undefined`), or the request
 * outside the cluster it stands for (docs/egress.md). Exactly one of to,
 * toHost and toIp; the fields of the other kind are refused by name, never
 * ignored.
 */
export function outsideProbe(body: SimulateBody): EgressProbe | undefined {
  const given = DESTINATIONS.filter(k => body[k] !== undefined);
  if (given.length !== 1) {
    throw new InputError(`to: give exactly one of to (a component), toHost or toIp (outside the cluster)${given.length ? `, not ${given.join(' and ')}` : ''}`);
  }
  if (given[0] === 'to') {
    const stray = (['port', 'protocol'] as const).find(k => body[k] !== undefined);
    if (stray) throw new InputError(`${stray}: only a request outside the cluster (toHost or toIp) takes ${stray}; a component's port is its endpoint`);
    return undefined;
  }
  if (typeof body.from === 'object' && 'gateway' in body.from) {
    throw new InputError('from: the external gateway makes no calls outside the cluster; give a component or { rogue: <cell> }');
  }
  if (body.endpoint !== undefined) throw new InputError(`endpoint: a destination outside the cluster has no endpoint; give port`);
  if (body.port === undefined) throw new InputError(`port: required with ${given[0]}`);
  const protocol = body.protocol ?? (body.toHost !== undefined ? 'TLS' : 'TCP');
  if (protocol !== 'HTTP' && (body.method !== undefined || body.path !== undefined)) {
    throw new InputError(`${body.method !== undefined ? 'method' : 'path'}: only an HTTP request has a method and path; set protocol HTTP`);
  }
  return {
    ...(body.toHost !== undefined ? { host: body.toHost } : {}),
    ...(body.toIp !== undefined ? { ip: body.toIp } : {}),
    port: body.port,
    protocol,
    ...(protocol === 'HTTP' ? { method: (body.method ?? 'GET').toUpperCase(), path: body.path ?? '/' } : {}),
  };
}

/**
 * The bearer token a simulate body carries (docs/front-door.md): a JSON object
 * of claims, or a string (a compact JWT or the claims as JSON text). Only the
 * claims are read; the signature is not checked, since the question is what
 * the front door does with a token carrying them. Only a request from the
 * external gateway to a component carries one: anywhere else it would be
 * silently meaningless, so it is refused.
 */
export function requestToken(body: SimulateBody): RequestToken | undefined {
  if (body.token === undefined) return undefined;
  if (typeof body.from !== 'object' || !('gateway' in body.from)) {
    throw new InputError('token: only a request from the external gateway ({ gateway: true }) carries a token here; remove token or set from');
  }
  if (body.to === undefined) throw new InputError('token: only a request to a component (to) carries a token; remove token');
  try {
    return typeof body.token === 'string' ? parseToken(body.token) : tokenFromClaims(body.token);
  } catch (e) {
    if (e instanceof TokenError) throw new InputError(`token: ${e.message}. Fix: give a JSON object of claims or a JWT (header.payload.signature)`);
    throw e;
  }
}

/** The analyzer's verdict on a simulate body: to a component (its entity ref) or outside the cluster (its probe). */
export function simulateBody(sim: Simulation, from: SimulatedCaller, body: SimulateBody, to: string | EgressProbe): SimulationResult {
  if (typeof to !== 'string') return simulateEgress(sim, from, to);
  const token = requestToken(body);
  return simulateRequest(sim, {
    from,
    to,
    ...(body.endpoint ? { endpoint: body.endpoint } : {}),
    ...(body.method ? { method: body.method.toUpperCase() } : {}),
    ...(body.path ? { path: body.path } : {}),
    ...(token ? { token } : {}),
  });
}
