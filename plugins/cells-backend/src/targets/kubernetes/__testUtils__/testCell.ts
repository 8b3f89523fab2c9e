import { Entity } from '@backstage/catalog-model';
import { buildCellModel, compileCells, DEFAULT_SETTINGS, KubeObject } from '@cellplane/cells-common';
import { EGRESS_UNIT_NAME, egressUnitRef } from '@cellplane/plugin-cells-node';
import { DesiredCell } from '../../types';
import { managedKindOf, objectPath } from '../kinds';

export interface TestComponent {
  name: string;
  calls?: { to: string; methods: string[]; paths?: string[] }[];
  /** External hosts it calls over TLS on 443; the cell's ceiling admits them. */
  hosts?: string[];
}

/** A small cell of its own for one test: a System and components with HTTP endpoints and connections. */
export function testCellEntities(cellName: string, components: TestComponent[]): Entity[] {
  const owner = 'group:default/test-team';
  return [
    {
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Group',
      metadata: { name: 'test-team', namespace: 'default' },
      spec: { type: 'team', children: [] },
    },
    {
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'System',
      metadata: { name: cellName, namespace: 'default' },
      spec: { owner, cell: { environments: ['development'], ...ceilingOf(components) } },
    },
    ...components.map(c => ({
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Component',
      metadata: { name: `${cellName}-${c.name}`, namespace: 'default' },
      spec: {
        type: 'service',
        lifecycle: 'production',
        owner,
        system: cellName,
        endpoints: [{ name: 'http', port: 8080, protocol: 'HTTP', visibility: 'project' }],
        ...(c.hosts ? { egress: c.hosts.map(host => ({ host, port: 443, protocol: 'TLS' })) } : {}),
        connections: (c.calls ?? []).map(call => ({
          to: `${cellName}-${call.to}`,
          endpoint: 'http',
          methods: call.methods,
          ...(call.paths ? { paths: call.paths } : {}),
        })),
      },
    })),
  ];
}

function ceilingOf(components: TestComponent[]) {
  const hosts = [...new Set(components.flatMap(c => c.hosts ?? []))];
  return hosts.length ? { egress: { hosts } } : {};
}

/** The platform egress namespace (named egressNamespace) the cell's hosts compile to, as the reconciler hands it to a target. */
export function compileTestEgress(cellName: string, components: TestComponent[], egressNamespace: string): DesiredCell {
  const { model, problems } = buildCellModel(testCellEntities(cellName, components), { defaultEnvironments: DEFAULT_SETTINGS.defaultEnvironments });
  if (problems?.length) throw new Error(`test cell does not validate: ${JSON.stringify(problems)}`);
  const settings = { ...DEFAULT_SETTINGS, egress: { ...DEFAULT_SETTINGS.egress, namespace: egressNamespace } };
  const [egress] = compileCells(model, settings).egress;
  if (!egress) throw new Error('the test cell declares no external host');
  return {
    entityRef: egressUnitRef(egress.environment),
    cellName: EGRESS_UNIT_NAME,
    environment: egress.environment,
    namespace: egress.namespace,
    objects: egress.objects,
  };
}

/** The compiled cell, as the reconciler hands it to a target. */
export function compileTestCell(cellName: string, components: TestComponent[]): DesiredCell {
  const { model, problems } = buildCellModel(testCellEntities(cellName, components), { defaultEnvironments: DEFAULT_SETTINGS.defaultEnvironments });
  if (problems?.length) throw new Error(`test cell does not validate: ${JSON.stringify(problems)}`);
  const compiled = compileCells(model, DEFAULT_SETTINGS);
  if (compiled.problems.length) throw new Error(`test cell does not compile: ${JSON.stringify(compiled.problems)}`);
  const [cell] = compiled.cells;
  return {
    entityRef: cell.cell,
    cellName: cell.cellName,
    environment: cell.environment,
    namespace: cell.namespace,
    objects: cell.objects as KubeObject[],
  };
}

/** The REST path of a compiled object. */
export const pathOf = (o: KubeObject) => objectPath(managedKindOf(o)!, o);

/**
 * Polls get until ok holds, or throws with the last value after timeoutMs: a
 * generous bound that only catches a broken build; no assertion depends on
 * how long the wait took.
 */
export async function until<T>(what: string, get: () => Promise<T>, ok: (value: T) => boolean, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const last = await get();
    if (ok(last)) return last;
    if (Date.now() > deadline) throw new Error(`${what} not reached in ${timeoutMs} ms; last: ${JSON.stringify(last).slice(0, 2000)}`);
    await new Promise(r => setTimeout(r, 100));
  }
}
