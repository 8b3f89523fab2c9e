/**
 * The compiled Artemis example as L7 differential cases: for every Service
 * behind a waypoint, the AuthorizationPolicies the compiler produced that its
 * waypoint enforces, asked every request `verify` asks of that Service's
 * endpoints (its probes), from every caller `verify` tries (each component,
 * the external gateway, a rogue pod in every cell).
 */
import { buildCellModel } from '../../validation/catalog';
import { DEFAULT_SETTINGS, CellsSettings } from '../../settings/settings';
import { createSimulation, ROGUE_SERVICE_ACCOUNT, Simulation } from '../../verify/simulation';
import { verifyProbesFor } from '../../verify/verify';
import { UNDECLARED_HOST } from '../../verify/egress';
import { waypointForService } from '../../analyzer';
import { waypointPolicies } from '../../analyzer/authorization';
import { artemisEntities } from '../artemis';
import type { AuthzCase, L7Request } from './generator';

type Obj = Record<string, any>;

/** Every environment of the Artemis catalog, compiled with the default settings. */
export function artemisSimulations(settings: CellsSettings = DEFAULT_SETTINGS): Simulation[] {
  const { model } = buildCellModel(artemisEntities(), { defaultEnvironments: ['development'] });
  const environments = [...new Set(model.cells.flatMap(c => c.environments))].sort();
  return environments.map(env => createSimulation(model, settings, env));
}

/** The identities `verify` calls from: every component, the gateway, a rogue in every cell. */
function callerIdentities(sim: Simulation): string[] {
  const td = sim.settings.mesh.trustDomain;
  const present = sim.model.cells.filter(c => c.environments.includes(sim.environment));
  const components = sim.model.components.filter(c => present.some(cell => cell.ref === c.cell));
  return [
    ...components.map(c => `${td}/ns/${sim.namespaceOf(c.cell)}/sa/${c.name}`),
    sim.settings.gateway.principal.replace(/^spiffe:\/\//, ''),
    ...present.map(cell => `${td}/ns/${sim.namespaceOf(cell.ref)}/sa/${ROGUE_SERVICE_ACCOUNT}`),
  ];
}

/**
 * An egress host's policy (bound to its ServiceEntry, enforced by the egress
 * waypoint) asked what `verify` asks of that host: every caller, on each
 * declared port; a TLS port with the host's SNI and with an undeclared one.
 */
function egressCaseOf(sim: Simulation, policy: Obj, identities: string[]): AuthzCase {
  const serviceEntry = sim.objects.find(
    o => o.kind === 'ServiceEntry' && o.metadata.namespace === policy.metadata.namespace && o.metadata.name === policy.spec.targetRefs[0].name,
  );
  if (!serviceEntry) throw new Error(`${policy.metadata.namespace}/${policy.metadata.name}: no ServiceEntry ${policy.spec.targetRefs[0].name}`);
  const host = String((serviceEntry as Obj).spec.hosts[0]).replace(/^\*\./, 'probe.');
  const ports = new Map<number, boolean>();
  for (const rule of policy.spec.rules ?? [])
    for (const port of rule.to?.[0]?.operation?.ports ?? [])
      ports.set(Number(port), ports.get(Number(port)) || (rule.when ?? []).some((w: Obj) => w.key === 'connection.sni'));
  const requests: L7Request[] = [...ports.entries()]
    .sort(([a], [b]) => a - b)
    .flatMap(([port, tls]) =>
      identities.flatMap(principal =>
        (tls ? [host, UNDECLARED_HOST] : [undefined]).map(sni => ({ principal, method: 'GET', path: '/', port, host, headers: {}, ...(sni ? { sni } : {}) })),
      ),
    );
  return { id: `${sim.environment}/egress/${host}`, seed: -1, policies: [policy], requests };
}

/**
 * One case per waypoint-bound Service with L7 endpoints, in every environment.
 * `unchecked`: compiled waypoint policies (targetRefs) no case carries, which
 * the caller fails on; `ztunnel`: compiled policies ztunnel enforces (selector
 * or none), which no Envoy judges (ztunnel cannot be built here).
 */
export function artemisL7Cases(sims: Simulation[] = artemisSimulations()): { cases: AuthzCase[]; unchecked: string[]; ztunnel: string[]; egress: string[] } {
  const cases: AuthzCase[] = [];
  const unchecked: string[] = [];
  const ztunnel: string[] = [];
  // Bound to a ServiceEntry (docs/egress.md): judged over TLS, so that Envoy reads the SNI their TLS rules turn on.
  const egress: string[] = [];
  for (const sim of sims) {
    const cluster = sim.cluster();
    const identities = callerIdentities(sim);
    const all = new Map(sim.objects.filter(o => o.kind === 'AuthorizationPolicy').map(o => [`${o.metadata.namespace}/${o.metadata.name}`, o as Obj]));
    const manifests = new Map(all);
    const present = sim.model.cells.filter(c => c.environments.includes(sim.environment)).map(c => c.ref);
    for (const callee of sim.model.components.filter(c => present.includes(c.cell))) {
      const namespace = sim.namespaceOf(callee.cell);
      for (const endpoint of callee.endpoints) {
        if (endpoint.protocol !== 'HTTP' && endpoint.protocol !== 'GRPC') continue;
        const service = cluster.services.find(
          s => s.namespace === namespace && s.ports.some(p => p.port === endpoint.port) && s.selector?.[sim.settings.podLabelKey] === callee.name,
        );
        const waypoint = service && waypointForService(cluster, service);
        if (!service || !waypoint) continue;
        const attached = waypointPolicies(cluster.authorizationPolicies, waypoint, service, cluster.rootNamespace);
        const probes = verifyProbesFor(sim, callee, endpoint).filter(p => !p.direct && p.method && p.path);
        const requests: L7Request[] = identities.flatMap(principal =>
          probes.map(p => ({
            principal,
            method: p.method!,
            path: p.path!,
            port: endpoint.port,
            host: `${service.name}.${namespace}.svc.cluster.local`,
            headers: {},
          })),
        );
        attached.forEach(p => manifests.delete(p.ref));
        cases.push({
          id: `${sim.environment}/${service.key}:${endpoint.port}`,
          seed: -1,
          policies: attached.map(p => all.get(p.ref)!),
          requests,
        });
      }
    }
    for (const [ref, o] of manifests) {
      const entry = (o.spec?.targetRefs ?? []).find((t: Obj) => t.kind === 'ServiceEntry');
      const waypointBound = o.spec?.targetRefs || o.spec?.targetRef;
      if (entry) {
        const egressCase = egressCaseOf(sim, o, identities);
        cases.push(egressCase);
        egress.push(egressCase.id);
      } else (waypointBound ? unchecked : ztunnel).push(`${sim.environment}: ${ref}`);
    }
  }
  return { cases, unchecked, ztunnel, egress };
}
