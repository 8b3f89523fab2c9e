import fc from 'fast-check';
import { buildCellModel } from '../validation/catalog';
import { DEFAULT_SETTINGS, CellsSettings } from '../settings/settings';
import { catalogOf, randomCatalogShape } from '../testing/arbitraries';
import { artemisEntities } from '../testing/artemis';
import { APPLY_PHASE_ANNOTATION } from '../labels/keys';
import { APPLY_PHASES, ApplyPhase, applyPhaseOf, inPhase } from './applyPhase';
import { compileCells, KubeObject } from './index';

const CILIUM: CellsSettings = { ...DEFAULT_SETTINGS, environments: [{ name: 'development', networkPolicy: 'cilium' }] };
const NO_MESH: CellsSettings = { ...DEFAULT_SETTINGS, mesh: { ...DEFAULT_SETTINGS.mesh, enabled: false } };

/**
 * What each phase means, written from the objects' content: the spec the
 * compiler's tags must agree with. `restrict` objects admit nothing: they
 * deny by default, allow nothing, or narrow who may connect.
 */
function expectedPhase(o: KubeObject, waypointPrincipal: string, gatewayPrincipal: string): ApplyPhase {
  const spec = (o.spec ?? {}) as Record<string, any>;
  switch (o.kind) {
    case 'Namespace':
      return 'namespace';
    case 'ServiceAccount':
    case 'Service':
    case 'Role':
    case 'RoleBinding':
      return 'identity';
    // The front door is closed before the route that opens it (an `allow` object) is applied.
    case 'RequestAuthentication':
    case 'SecurityPolicy':
    case 'BackendTrafficPolicy':
      return 'identity';
    case 'NetworkPolicy':
      return spec.ingress || spec.egress ? 'allow' : 'restrict';
    case 'CiliumNetworkPolicy':
      return spec.enableDefaultDeny ? 'restrict' : 'allow';
    case 'PeerAuthentication':
      return 'restrict';
    case 'AuthorizationPolicy': {
      const frontDoor = spec.action === 'DENY' && spec.rules?.every((r: any) => r.from?.[0]?.source?.principals?.[0] === gatewayPrincipal);
      if (frontDoor) return 'identity';
      const onlyWaypoint = JSON.stringify(spec.rules) === JSON.stringify([{ from: [{ source: { principals: [waypointPrincipal] } }] }]);
      return !spec.rules || spec.action === 'DENY' || (spec.selector && onlyWaypoint) ? 'restrict' : 'allow';
    }
    default:
      return 'allow';
  }
}

function mismatches(settings: CellsSettings, entities = artemisEntities()): string[] {
  const { model } = buildCellModel(entities, { defaultEnvironments: settings.defaultEnvironments, knownEnvironments: settings.environments.map(e => e.name) });
  const out: string[] = [];
  for (const cell of compileCells(model, settings).cells) {
    const waypoint = cell.objects.find(o => o.kind === 'AuthorizationPolicy' && (o.spec as any)?.selector);
    const principal = (waypoint?.spec as any)?.rules?.[0]?.from?.[0]?.source?.principals?.[0] ?? '';
    for (const o of cell.objects) {
      const tag = applyPhaseOf(o);
      const want = expectedPhase(o, principal, settings.gateway.principal);
      if (tag !== want) out.push(`${cell.cellName}: ${o.kind} ${o.metadata.name} is tagged ${tag}, means ${want}`);
    }
  }
  return out;
}

describe('apply phases', () => {
  it.each([
    ['Kubernetes NetworkPolicy', DEFAULT_SETTINGS],
    ['Cilium', CILIUM],
    ['no mesh', NO_MESH],
  ])('tags every Artemis object with the phase its content means (%s)', (_name, settings) => {
    expect(mismatches(settings)).toEqual([]);
  });

  it('tags every object of random catalogs with the phase its content means', () => {
    fc.assert(
      fc.property(randomCatalogShape, fc.constantFrom(DEFAULT_SETTINGS, CILIUM, NO_MESH), (shape, settings) => {
        expect(mismatches(settings, catalogOf(shape))).toEqual([]);
      }),
      { numRuns: 60 },
    );
  });

  it('emits objects in phase order within each cell, the namespace first', () => {
    const { model } = buildCellModel(artemisEntities(), { defaultEnvironments: DEFAULT_SETTINGS.defaultEnvironments });
    for (const cell of compileCells(model, DEFAULT_SETTINGS).cells) {
      const phases = cell.objects.map(o => applyPhaseOf(o)!);
      expect(phases[0]).toBe('namespace');
      expect(phases.slice(1)).not.toContain('namespace');
      expect(phases.indexOf('identity')).toBeLessThan(phases.indexOf('allow'));
    }
  });

  it('keeps a tag a module set, and reads only known phases', () => {
    const o: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', annotations: { [APPLY_PHASE_ANNOTATION]: 'restrict' } } };
    expect(applyPhaseOf(inPhase('allow', [o])[0])).toBe('restrict');
    expect(applyPhaseOf(inPhase('identity', [{ ...o, metadata: { name: 'x' } }])[0])).toBe('identity');
    expect(applyPhaseOf({ metadata: { annotations: { [APPLY_PHASE_ANNOTATION]: 'later' } } })).toBeUndefined();
    expect(applyPhaseOf({ metadata: {} })).toBeUndefined();
    expect(APPLY_PHASES).toEqual(['namespace', 'identity', 'allow', 'restrict']);
  });
});
