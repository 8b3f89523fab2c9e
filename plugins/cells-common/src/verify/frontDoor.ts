import { CellComponent, EndpointSpec } from '../model/types';
import { KubeObject } from '../compiler';
import { unenforceableAuth } from '../compiler/frontDoor';
import { ClusterModel, LayerName } from '../analyzer';
import { decideEdgeAuth } from '../analyzer/edgeAuth';
import { RequestToken } from '../analyzer/token';
import { JwtProvider } from '../settings/settings';
import { evaluate } from './simulate';
import { Simulation } from './simulation';
import type { Violation } from './verify';

/** The issuer of the wrong-issuer probe: no provider can have it (an issuer is a URL, and this is not one). */
export const FOREIGN_ISSUER = 'cellplane-verify-foreign-issuer';

/** The endpoint's provider, when it requires a token of one the settings define. */
export function providerOf(sim: Simulation, endpoint: EndpointSpec): JwtProvider | undefined {
  const auth = endpoint.auth;
  return auth?.kind === 'jwt' ? sim.settings.gateway.jwtProviders.find(p => p.name === auth.provider) : undefined;
}

/**
 * A token with everything the endpoint requires: the provider's issuer, one
 * of its audiences and one of the endpoint's, every required claim value.
 * Undefined when no token can pass (no `auth` to satisfy, or a provider the
 * settings lack).
 */
export function sufficientToken(sim: Simulation, endpoint: EndpointSpec): RequestToken | undefined {
  const auth = endpoint.auth;
  const provider = providerOf(sim, endpoint);
  if (auth?.kind !== 'jwt' || !provider) return undefined;
  const audiences = [...new Set([provider.audiences?.[0], auth.audiences?.[0]].filter((a): a is string => a !== undefined))];
  const claims: Record<string, unknown> = { iss: provider.issuer, sub: 'cellplane-verify', aud: audiences };
  for (const claim of auth.claims ?? []) claims[claim.name] = claim.values;
  return { issuer: provider.issuer, subject: 'cellplane-verify', audiences, claims };
}

/** What the gateway sends a public endpoint in verify's ordinary probes: a sufficient token where a token is required, none otherwise. */
export function gatewayToken(sim: Simulation, endpoint: EndpointSpec): RequestToken | null {
  return endpoint.visibility === 'public' ? sufficientToken(sim, endpoint) ?? null : null;
}

/** Whether the front door lets the gateway's ordinary probes through (false: the route is closed, e.g. its provider is not configured). */
export function frontDoorOpens(sim: Simulation, endpoint: EndpointSpec): boolean {
  if (endpoint.visibility !== 'public') return true;
  if (unenforceableAuth(sim.settings, endpoint)) return false;
  return decideEdgeAuth(endpoint.auth, sim.settings.gateway.jwtProviders, sufficientToken(sim, endpoint)).verdict === 'allow';
}

/**
 * The front door's own probes: every operation a public endpoint serves (or
 * `GET /`), from the gateway without a token and with a token of a foreign
 * issuer. Both must be denied wherever the endpoint requires a token. With
 * Istio the compiled policies decide (the waypoint's DENY); with Envoy Gateway
 * the analyzer does not read SecurityPolicies, so the endpoint's `auth` does,
 * and a note says so.
 */
export function verifyFrontDoor(
  sim: Simulation,
  cluster: ClusterModel,
  gatewayPod: KubeObject,
  targets: { callee: CellComponent; endpoint: EndpointSpec }[],
  counts?: { allowed: number; deniedBy: Record<LayerName, number> },
): { checks: number; violations: Violation[]; notes: string[] } {
  const violations: Violation[] = [];
  let checks = 0;
  const guarded = targets.filter(t => t.endpoint.visibility === 'public' && t.endpoint.auth?.kind === 'jwt');
  const foreign: RequestToken = { issuer: FOREIGN_ISSUER, subject: 'cellplane-verify', audiences: [], claims: { iss: FOREIGN_ISSUER } };
  for (const { callee, endpoint } of guarded) {
    const operations = endpoint.operations?.length ? endpoint.operations : [{ method: 'GET', path: '/' }];
    for (const op of operations) {
      for (const [what, token] of [
        ['without a token', null],
        ['with a token of a foreign issuer', foreign],
      ] as const) {
        checks++;
        const mesh = evaluate(cluster, gatewayPod, callee, endpoint, sim, { method: op.method, path: op.path, token });
        const edge = decideEdgeAuth(endpoint.auth, sim.settings.gateway.jwtProviders, token ?? undefined);
        const allowed = sim.settings.gateway.implementation === 'istio' ? mesh.allowed : mesh.allowed && edge.verdict === 'allow';
        if (counts) {
          if (allowed) counts.allowed++;
          else counts.deniedBy[mesh.allowed ? 'L7' : (mesh.decidedBy as LayerName | null) ?? 'L3/L4']++;
        }
        if (allowed) {
          violations.push({
            caller: `the external gateway ${what}`,
            from: { kind: 'gateway' },
            callee: callee.ref,
            endpoint: endpoint.name,
            method: op.method,
            path: op.path,
            expected: false,
            actual: true,
            explanation: `the endpoint requires a token of ${endpoint.auth?.kind === 'jwt' ? endpoint.auth.provider : ''}. ${mesh.explanation}`,
          });
        }
      }
    }
  }
  const notes =
    guarded.length > 0 && sim.settings.gateway.implementation === 'envoy-gateway'
      ? [
          "front door: with envoy-gateway the analyzer does not read SecurityPolicies; the unauthenticated and foreign-issuer probes are judged by the endpoints' auth, not by the compiled policies",
        ]
      : [];
  return { checks, violations, notes };
}
