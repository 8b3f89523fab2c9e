import crypto from 'node:crypto';
import { Entity } from '@backstage/catalog-model';
import {
  CallGrant,
  CellComponent,
  CellModel,
  ComponentProtection,
  KubeObject,
  Simulation,
  VerifyReport,
  assertAnalyzable,
  loadCluster,
  protectionOf,
  verifySimulation,
} from '@cellplane/cells-common';
import type { ComponentView, GrantView } from '../schema/types';

const titleOf = (entities: Map<string, Entity>, ref: string) => entities.get(ref)?.metadata.title;

export function componentViews(model: CellModel, entities: Map<string, Entity>, cellRefs?: Set<string>): ComponentView[] {
  return model.components
    .filter(c => !cellRefs || cellRefs.has(c.cell))
    .map(c => ({
      entityRef: c.ref,
      name: c.name,
      ...(titleOf(entities, c.ref) ? { title: titleOf(entities, c.ref) } : {}),
      owner: c.owner,
      cell: c.cell,
      endpoints: c.endpoints,
    }));
}

/** How a grant was declared, for the API: a public endpoint's gateway grant, a connection, or an allowFrom entry. */
function declaredBy(grant: CallGrant): GrantView['declaredBy'] {
  if (grant.caller.kind === 'gateway') return 'public';
  return grant.field.startsWith('spec.allowFrom') ? 'allowFrom' : 'connection';
}

export function grantViews(model: CellModel, filter?: (g: CallGrant) => boolean): GrantView[] {
  const cellOf = new Map(model.components.map(c => [c.ref, c.cell]));
  return model.grants
    .filter(g => !filter || filter(g))
    .map(g => ({
      from: g.caller.kind === 'gateway' ? 'gateway' : g.caller.ref,
      to: g.callee,
      endpoint: g.endpoint,
      ...(g.methods ? { methods: g.methods } : {}),
      ...(g.paths ? { paths: g.paths } : {}),
      declaredBy: declaredBy(g),
      declaringEntity: g.declaredBy,
      field: g.field,
      crossCell: g.caller.kind === 'gateway' || cellOf.get(g.caller.ref) !== cellOf.get(g.callee),
    }));
}

/**
 * Verify a cell, once per simulation: the manifests checked against the
 * catalog for every caller on the cell's endpoints (the whole environment is
 * callers x endpoints: minutes at 5,000 components, for one cell's page).
 */
export function verifyCellOnce(cache: WeakMap<Simulation, Map<string, { report: VerifyReport; at: string }>>, sim: Simulation, cell: string) {
  let cells = cache.get(sim);
  if (!cells) cache.set(sim, (cells = new Map()));
  let entry = cells.get(cell);
  if (!entry) {
    entry = { report: verifySimulation(sim, { cell }), at: new Date().toISOString() };
    cells.set(cell, entry);
  }
  return entry;
}

/** Which cell a compiled object belongs to: its namespace's cell (a Namespace object by its name), if any. */
function namespaceOfObject(o: KubeObject): string | undefined {
  return o.kind === 'Namespace' && !o.metadata.namespace ? o.metadata.name : o.metadata.namespace;
}

const sha1 = (text: string) => crypto.createHash('sha1').update(text).digest('hex');

/**
 * Each component's protection (protectionOf), computed per cell and kept
 * while the cell's compiled objects stay the same. The probe runs from a
 * rogue pod in the component's own namespace to the component, so only that
 * namespace's objects and the objects outside every cell namespace (mesh-wide
 * policies, the gateway) can decide it: a cluster of just those answers the
 * same as the whole environment's, and costs O(cell) instead of O(catalog)
 * per probe. A catalog change then re-probes only the cells whose objects
 * (or components' pods) changed.
 */
export class ProtectionCache {
  private readonly cells = new Map<
    string,
    {
      protection: Map<string, ComponentProtection>;
      /** What the probes saw: the cell namespace's objects, its pods, the shared objects. */
      objects: KubeObject[];
      podsKey: string;
      sharedKey: string;
    }
  >();

  /**
   * A cell whose objects are the very ones probed last time (SimulationCache
   * keeps an untouched cell's objects), with the same pods and shared
   * objects, keeps its protection without any work; other objects are
   * compared by content first, so a cell recompiled to the same objects is
   * not probed again. Nothing is serialized for a cell seen the first time.
   * A cell the analyzer refuses (its manifests have problems) is reported in
   * `failures` and its components are left out of `protection`.
   */
  of(sim: Simulation): { protection: Map<string, ComponentProtection>; failures: Map<string, string> } {
    const present = sim.model.cells.filter(c => c.environments.includes(sim.environment));
    const cellOfNamespace = new Map(present.map(c => [sim.namespaceOf(c.ref), c.ref]));
    const objectsOf = new Map<string, KubeObject[]>(present.map(c => [c.ref, []]));
    const shared: KubeObject[] = [];
    for (const o of sim.objects) {
      const ns = namespaceOfObject(o);
      const cell = ns === undefined ? undefined : cellOfNamespace.get(ns);
      if (cell) objectsOf.get(cell)!.push(o);
      else shared.push(o);
    }
    shared.push(...sim.gatewayObjects());
    const componentsOf = new Map<string, CellComponent[]>(present.map(c => [c.ref, []]));
    for (const c of sim.model.components) componentsOf.get(c.cell)?.push(c);

    const sharedKey = sha1(JSON.stringify(shared));
    const result = new Map<string, ComponentProtection>();
    const failures = new Map<string, string>();
    const seen = new Set<string>();
    for (const cell of present) {
      const components = componentsOf.get(cell.ref)!;
      const id = `${sim.environment}|${cell.ref}`;
      seen.add(id);
      const pods = components.map(c => sim.componentPod(c));
      const podsKey = JSON.stringify([pods, components.map(c => c.endpoints[0] ?? null)]);
      const objects = objectsOf.get(cell.ref)!;
      const before = this.cells.get(id);
      const sameInputs = before !== undefined && before.sharedKey === sharedKey && before.podsKey === podsKey;
      const sameObjects = (old: KubeObject[]) =>
        (old.length === objects.length && old.every((o, i) => o === objects[i])) || JSON.stringify(old) === JSON.stringify(objects);
      const unchanged = sameInputs && sameObjects(before.objects);
      let protection = before?.protection;
      if (!unchanged || !protection) {
        try {
          const cluster = loadCluster([...objects, ...pods, ...shared, sim.roguePod(cell.ref)], { trustDomain: sim.settings.mesh.trustDomain });
          assertAnalyzable(cluster);
          // protectionOf looks its component up in the model: hand it just this cell's.
          const cellSim: Simulation = { ...sim, model: { ...sim.model, components } };
          protection = new Map(components.map(c => [c.ref, protectionOf(cellSim, cluster, c.ref)]));
        } catch (e) {
          failures.set(cell.ref, `cannot be analysed: ${e instanceof Error ? e.message : String(e)}`);
          this.cells.delete(id);
          continue;
        }
      }
      this.cells.set(id, { protection, objects, podsKey, sharedKey });
      protection.forEach((p, ref) => result.set(ref, p));
    }
    for (const id of this.cells.keys()) {
      if (id.startsWith(`${sim.environment}|`) && !seen.has(id)) this.cells.delete(id);
    }
    return { protection: result, failures };
  }
}
