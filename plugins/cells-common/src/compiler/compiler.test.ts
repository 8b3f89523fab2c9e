import fc from 'fast-check';
import { withOwners } from '../testing/entities';
import { Entity } from '@backstage/catalog-model';
import { buildCellModel, modelOptions } from '../validation/catalog';
import { DEFAULT_SETTINGS, CellsSettings } from '../settings/settings';
import { CellModel } from '../model/types';
import { catalogOf, randomCatalogShape } from '../testing/arbitraries';
import { artemisEntities } from '../testing/artemis';
import { CELL_OBJECT_NAMES, compileCells, KubeObject, waypointOnlyName } from './index';
import { toYaml } from './yaml';
import { validateObject } from './schema';

const CILIUM: CellsSettings = { ...DEFAULT_SETTINGS, environments: [{ name: 'development', networkPolicy: 'cilium' }] };
// Without the mesh, Istio has no waypoint to check a public endpoint's token: Envoy Gateway does.
const NO_MESH: CellsSettings = {
  ...DEFAULT_SETTINGS,
  mesh: { ...DEFAULT_SETTINGS.mesh, enabled: false },
  gateway: { ...DEFAULT_SETTINGS.gateway, implementation: 'envoy-gateway' },
};

function modelOf(entities: Entity[], settings = DEFAULT_SETTINGS): CellModel {
  const { model, problems } = buildCellModel(withOwners(entities), modelOptions(settings));
  expect(problems).toEqual([]);
  return model;
}

const find = (objects: KubeObject[], kind: string, name: string, namespace?: string) =>
  objects.find(o => o.kind === kind && o.metadata.name === name && (!namespace || o.metadata.namespace === namespace));

const asList = (v: unknown): any[] => (Array.isArray(v) ? v : []);

/**
 * The envelope properties: everything the compiler promises, checked on the
 * output alone. Returns the violations (empty when the envelope holds).
 */
function envelopeViolations(model: CellModel, settings: CellsSettings, result = compileCells(model, settings)): string[] {
  const all = result.cells.flatMap(c => c.objects);
  const violations: string[] = [];
  const mesh = settings.mesh.enabled;
  const label = settings.podLabelKey;
  const nsOf = new Map(result.cells.map(c => [c.cell, c.namespace]));
  const componentByRef = new Map(model.components.map(c => [c.ref, c]));
  // The test settings have one environment, so one L3/L4 flavour.
  const kind = settings.environments[0].networkPolicy === 'cilium' ? 'CiliumNetworkPolicy' : 'NetworkPolicy';

  for (const compiled of result.cells) {
    const objects = compiled.objects;
    const ns = compiled.namespace;
    const deny = find(objects, kind, CELL_OBJECT_NAMES.defaultDeny);
    if (!deny) violations.push(`${ns}: no default-deny`);
    for (const o of objects) {
      const labels = o.metadata.labels ?? {};
      if (
        labels['app.kubernetes.io/managed-by'] !== 'cellplane' ||
        labels['cellplane.io/cell'] !== compiled.cellName ||
        labels['cellplane.io/environment'] !== compiled.environment
      ) {
        violations.push(`${o.kind}/${o.metadata.name}: missing managed-by, cell or environment label`);
      }
      if (!o.metadata.annotations?.['cellplane.io/source']) violations.push(`${o.kind}/${o.metadata.name}: no source annotation`);
    }
    for (const ref of model.cells.find(c => c.ref === compiled.cell)!.components) {
      const c = componentByRef.get(ref)!;
      if (mesh) {
        const l7 = find(objects, 'AuthorizationPolicy', c.name) as any;
        if (!l7 || l7.spec.targetRefs?.[0]?.name !== c.name || l7.spec.action !== 'ALLOW') violations.push(`${ref}: no L7 policy`);
        const l4 = find(objects, 'AuthorizationPolicy', waypointOnlyName(c.name)) as any;
        const admitted = l4?.spec.rules?.flatMap((r: any) => r.from.flatMap((f: any) => f.source.principals));
        if (!l4 || JSON.stringify(admitted) !== JSON.stringify([`cluster.local/ns/${ns}/sa/waypoint`]) || l4.spec.selector?.matchLabels?.[label] !== c.name) {
          violations.push(`${ref}: no waypoint-only ztunnel policy`);
        }
      }
    }
    // No wildcard principal, no namespace-wide source, anywhere.
    for (const ap of objects.filter(o => o.kind === 'AuthorizationPolicy') as any[]) {
      for (const rule of asList(ap.spec.rules)) {
        for (const from of asList(rule.from)) {
          const s = from.source;
          if (Object.keys(s).some(k => k !== 'principals')) violations.push(`${ap.metadata.name}: source uses ${Object.keys(s)}`);
          if (asList(s.principals).some((p: string) => p.includes('*'))) violations.push(`${ap.metadata.name}: wildcard principal`);
        }
        if (!rule.from) violations.push(`${ap.metadata.name}: a rule without from admits everyone`);
      }
    }
    // 15008 only ever from named pods of a named namespace.
    for (const np of objects.filter(o => o.kind === kind) as any[]) {
      for (const rule of asList(np.spec.ingress)) {
        const ports =
          kind === 'NetworkPolicy'
            ? asList(rule.ports).map((p: any) => p.port)
            : asList(rule.toPorts).flatMap((t: any) => t.ports.map((p: any) => Number(p.port)));
        if (np.metadata.name === CELL_OBJECT_NAMES.defaultDeny) continue;
        if (ports.length === 0) violations.push(`${np.metadata.name}: ingress rule without ports`);
        if (!ports.includes(15008)) continue;
        const peers = kind === 'NetworkPolicy' ? asList(rule.from) : asList(rule.fromEndpoints);
        if (peers.length === 0) violations.push(`${np.metadata.name}: 15008 open to all`);
        for (const peer of peers) {
          const labels = kind === 'NetworkPolicy' ? peer.podSelector?.matchLabels : peer.matchLabels;
          const nsName =
            kind === 'NetworkPolicy'
              ? peer.namespaceSelector?.matchLabels?.['kubernetes.io/metadata.name']
              : peer.matchLabels?.['k8s:io.kubernetes.pod.namespace'];
          if (!nsName || !labels || Object.keys(labels).filter(k => !k.startsWith('k8s:io.kubernetes.pod.namespace')).length === 0) {
            violations.push(`${np.metadata.name}: 15008 from an unnamed peer`);
          }
        }
      }
    }
  }

  // Each declared call has its rules at every layer.
  const has = (o: any, direction: 'ingress' | 'egress', peerNs: string, peerLabels: Record<string, string>, port: number) => {
    if (!o) return false;
    return asList(o.spec[direction]).some((rule: any) => {
      if (o.kind === 'NetworkPolicy') {
        const peers = direction === 'ingress' ? rule.from : rule.to;
        return (
          asList(rule.ports).some((p: any) => p.port === port) &&
          asList(peers).some(
            (p: any) =>
              p.namespaceSelector?.matchLabels?.['kubernetes.io/metadata.name'] === peerNs &&
              Object.entries(peerLabels).every(([k, v]) => p.podSelector?.matchLabels?.[k] === v),
          )
        );
      }
      const peers = direction === 'ingress' ? rule.fromEndpoints : rule.toEndpoints;
      return (
        asList(rule.toPorts).some((t: any) => t.ports.some((p: any) => Number(p.port) === port)) &&
        asList(peers).some(
          (p: any) => p.matchLabels?.['k8s:io.kubernetes.pod.namespace'] === peerNs && Object.entries(peerLabels).every(([k, v]) => p.matchLabels?.[k] === v),
        )
      );
    });
  };
  for (const grant of model.grants) {
    const callee = componentByRef.get(grant.callee)!;
    const endpoint = callee.endpoints.find(e => e.name === grant.endpoint)!;
    const calleeNs = nsOf.get(callee.cell)!;
    const caller = grant.caller.kind === 'component' ? componentByRef.get(grant.caller.ref)! : undefined;
    const callerNs = caller ? nsOf.get(caller.cell)! : settings.gateway.namespace;
    const callerLabels = caller ? { [label]: caller.name } : settings.gateway.podLabels;
    const calleePolicy = find(all, kind, callee.name, calleeNs);
    const what = `${grant.caller.kind === 'gateway' ? 'gateway' : grant.caller.ref} -> ${grant.callee}`;
    if (mesh) {
      const wp = { 'gateway.networking.k8s.io/gateway-name': 'waypoint' };
      if (caller && !has(find(all, kind, caller.name, callerNs), 'egress', calleeNs, wp, 15008)) violations.push(`${what}: caller egress to waypoint missing`);
      const waypoint = find(all, kind, CELL_OBJECT_NAMES.waypointPolicy, calleeNs);
      if (!has(waypoint, 'ingress', callerNs, callerLabels, 15008)) violations.push(`${what}: waypoint ingress missing`);
      if (!has(waypoint, 'egress', calleeNs, { [label]: callee.name }, 15008)) violations.push(`${what}: waypoint egress missing`);
      if (!has(calleePolicy, 'ingress', calleeNs, wp, 15008)) violations.push(`${what}: callee ingress from waypoint missing`);
      const principal = caller ? `cluster.local/ns/${callerNs}/sa/${caller.name}` : settings.gateway.principal;
      const ap = find(all, 'AuthorizationPolicy', callee.name, calleeNs) as any;
      const matched = asList(ap?.spec.rules).some(
        (rule: any) =>
          rule.from[0].source.principals.includes(principal) &&
          rule.to[0].operation.ports.includes(String(endpoint.port)) &&
          JSON.stringify(rule.to[0].operation.methods) === JSON.stringify(grant.methods) &&
          JSON.stringify(rule.to[0].operation.paths) === JSON.stringify(grant.paths),
      );
      if (!matched) violations.push(`${what}: no L7 rule`);
    } else {
      if (caller && !has(find(all, kind, caller.name, callerNs), 'egress', calleeNs, { [label]: callee.name }, endpoint.port))
        violations.push(`${what}: caller egress missing`);
      if (!has(calleePolicy, 'ingress', callerNs, callerLabels, endpoint.port)) violations.push(`${what}: callee ingress missing`);
    }
  }
  return violations;
}

describe('cell compiler', () => {
  const artemis = modelOf(artemisEntities());

  it('compiles the five Artemis cells with every object a cell needs', () => {
    const result = compileCells(artemis, DEFAULT_SETTINGS);
    expect(result.problems).toEqual([]);
    expect(result.cells.map(c => c.namespace)).toEqual([
      'dp-default-deep-space-ne-development-c83079e6',
      'dp-default-esa-ops-development-6a03a646',
      'dp-default-houston-development-8d981cd8',
      'dp-default-kennedy-development-01c3c19a',
      'dp-default-orion-development-1bced798',
    ]);
    const orion = result.cells.find(c => c.cellName === 'orion')!.objects;
    const count = (kind: string) => orion.filter(o => o.kind === kind).length;
    expect(count('Namespace')).toBe(1);
    expect(count('ServiceAccount')).toBe(4);
    expect(count('Service')).toBe(4);
    expect(count('NetworkPolicy')).toBe(2 + 4 + 1);
    expect(count('PeerAuthentication')).toBe(1);
    expect(count('Gateway')).toBe(1);
    expect(count('AuthorizationPolicy')).toBe(8);
    expect(count('HTTPRoute')).toBe(0);
    const houston = result.cells.find(c => c.cellName === 'houston')!.objects;
    expect(find(houston, 'HTTPRoute', 'flight-director.http')).toBeDefined();
    expect(find(houston, 'Service', 'flight-director')!.metadata.labels!['istio.io/ingress-use-waypoint']).toBe('true');
    expect(find(houston, 'Service', 'capcom')!.metadata.labels!['istio.io/ingress-use-waypoint']).toBeUndefined();
  });

  it.each([
    ['kubernetes NetworkPolicy with mesh', DEFAULT_SETTINGS],
    ['CiliumNetworkPolicy with mesh', CILIUM],
    ['kubernetes NetworkPolicy without mesh', NO_MESH],
  ])('holds the envelope on Artemis (%s)', (_t, settings) => {
    expect(envelopeViolations(artemis, settings)).toEqual([]);
  });

  it('gives a component nobody calls an L7 policy that allows nothing', () => {
    const lonely = modelOf([
      { apiVersion: 'backstage.io/v1alpha1', kind: 'System', metadata: { name: 'a' }, spec: { owner: 'group:t', cell: {} } },
      {
        apiVersion: 'backstage.io/v1alpha1',
        kind: 'Component',
        metadata: { name: 'alone' },
        spec: { owner: 'group:t', system: 'a', endpoints: [{ name: 'http', port: 80, protocol: 'HTTP', visibility: 'project' }] },
      },
    ]);
    const objects = compileCells(lonely, DEFAULT_SETTINGS).cells[0].objects;
    const alone = find(objects, 'AuthorizationPolicy', 'alone') as any;
    expect(alone.spec).toEqual({ targetRefs: [{ group: '', kind: 'Service', name: 'alone' }], action: 'ALLOW' });
    // Nobody may call it, so not even its waypoint may reach it at L3/L4.
    const np = find(objects, 'NetworkPolicy', 'alone') as any;
    expect(np.spec.ingress.every((r: any) => r.from[0].ipBlock?.cidr === '169.254.7.127/32')).toBe(true);
  });

  it('is deterministic: same catalog in any order gives byte-identical YAML', () => {
    const entities = artemisEntities();
    const yaml = (es: Entity[]) =>
      compileCells(modelOf(es), DEFAULT_SETTINGS)
        .cells.map(c => toYaml(c.objects))
        .join('');
    const first = yaml(entities);
    expect(yaml([...entities].reverse())).toBe(first);
    expect(yaml(entities)).toBe(first);
  });

  it('validates every object against its schema, and a schema failure is loud', () => {
    for (const settings of [DEFAULT_SETTINGS, CILIUM, NO_MESH]) {
      compileCells(artemis, settings)
        .cells.flatMap(c => c.objects)
        .forEach(o => expect(() => validateObject(o)).not.toThrow());
    }
    const broken = { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'x' }, spec: { podSelector: {}, policyTypes: ['Sideways'] } };
    expect(() => validateObject(broken)).toThrow(/NetworkPolicy \/x fails its schema/);
    const cnp = { apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name: 'x' }, spec: { endpointSelector: {} } };
    expect(() => validateObject(cnp)).toThrow(/fails its schema/);
  });

  it('refuses components that would take the waypoint name, also in a model built for other settings', () => {
    // Built without the mesh, where `waypoint` is a fine name; compiled with it.
    const model = modelOf(
      [
        { apiVersion: 'backstage.io/v1alpha1', kind: 'System', metadata: { name: 'a' }, spec: { owner: 'group:t', cell: {} } },
        { apiVersion: 'backstage.io/v1alpha1', kind: 'Component', metadata: { name: 'waypoint' }, spec: { owner: 'group:t', system: 'a', endpoints: [] } },
      ],
      NO_MESH,
    );
    const result = compileCells(model, DEFAULT_SETTINGS);
    expect(result.cells).toEqual([]);
    expect(result.problems).toEqual([expect.objectContaining({ entityRef: 'component:default/waypoint', field: 'metadata.name' })]);
  });

  it('holds the envelope on random catalogs, in every flavour', () => {
    fc.assert(
      fc.property(randomCatalogShape, fc.constantFrom(DEFAULT_SETTINGS, CILIUM, NO_MESH), (shape, settings) => {
        const model = modelOf(catalogOf(shape), settings);
        expect(envelopeViolations(model, settings)).toEqual([]);
      }),
      { numRuns: 150 },
    );
  });

  it('the envelope check catches a dropped rule, a wildcard principal and 15008 open to all', () => {
    const mutate = (change: (objects: any[]) => void) => {
      const result = compileCells(artemis, DEFAULT_SETTINGS);
      change(result.cells.find(c => c.cellName === 'orion')!.objects);
      return envelopeViolations(artemis, DEFAULT_SETTINGS, result);
    };
    expect(mutate(objects => (find(objects, 'AuthorizationPolicy', 'comms-system') as any).spec.rules.pop())).toEqual(
      expect.arrayContaining([expect.stringMatching(/-> component:default\/comms-system: no L7 rule/)]),
    );
    expect(
      mutate(objects => (find(objects, 'AuthorizationPolicy', 'life-support') as any).spec.rules[0].from[0].source.principals.push('cluster.local/ns/x/sa/*')),
    ).toEqual(['life-support: wildcard principal']);
    expect(mutate(objects => (find(objects, 'NetworkPolicy', 'guidance-nav') as any).spec.ingress.push({ ports: [{ protocol: 'TCP', port: 15008 }] }))).toEqual(
      ['guidance-nav: 15008 open to all'],
    );
    expect(
      mutate(objects =>
        objects.splice(
          objects.findIndex(o => o.metadata.name === 'crew-interface.waypoint-only'),
          1,
        ),
      ),
    ).toEqual(['component:default/crew-interface: no waypoint-only ztunnel policy']);
  });
});

describe('compiling a subset of cells', () => {
  it('gives each chosen cell exactly the objects of a whole-catalog compile, and nothing for the others', () => {
    const model = modelOf(artemisEntities());
    const whole = compileCells(model, DEFAULT_SETTINGS);
    const chosen = new Set(['system:default/houston', 'system:default/orion']);
    const subset = compileCells(model, DEFAULT_SETTINGS, { cells: chosen });
    expect(subset.cells.map(c => c.cell).sort()).toEqual([...chosen].sort());
    for (const cell of subset.cells) {
      expect(toYaml(cell.objects)).toBe(toYaml(whole.cells.find(c => c.cell === cell.cell)!.objects));
    }
  });
});
