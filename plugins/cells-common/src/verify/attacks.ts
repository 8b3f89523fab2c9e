import { AttackPreset } from '../api/types';
import { compareText, componentLabel, isL7, presentCells, presentComponents } from '../diff/probing';
import { Simulation } from './simulation';
import { samplePaths } from './verify';

/**
 * The simulator's preset attacks: a rogue pod in every cell against every
 * endpoint it can address by visibility (its own cell's, other cells'
 * organization and public ones), with each operation the catalog declares
 * there (a grant's methods, a concrete path for each of its path patterns; GET
 * and `/` where a grant names none) and each operation the endpoint says it
 * serves (`endpoints[].operations`). Ids are stable across calls.
 */
export function attackPresets(sim: Simulation): AttackPreset[] {
  const presets: AttackPreset[] = [];
  const components = presentComponents(sim);
  for (const cell of presentCells(sim)) {
    for (const callee of components) {
      const to = componentLabel(sim, callee);
      for (const endpoint of callee.endpoints) {
        if (callee.cell !== cell.ref && endpoint.visibility === 'project') continue;
        const body = { environment: sim.environment, from: { rogue: cell.name }, to, endpoint: endpoint.name };
        const id = `rogue:${cell.name}:${to}:${endpoint.name}`;
        if (!isL7(sim, endpoint)) {
          presets.push({ id, title: `rogue pod in ${cell.name}: connect to port ${endpoint.port} of ${to}`, body });
          continue;
        }
        const operations = new Map<string, { method: string; path: string }>();
        const grants = sim.model.grants.filter(g => g.callee === callee.ref && g.endpoint === endpoint.name);
        for (const grant of grants.length > 0 || endpoint.operations ? grants : [{ methods: undefined, paths: undefined }]) {
          for (const method of grant.methods ?? ['GET']) {
            for (const path of (grant.paths ?? ['/']).map(p => samplePaths(p)[0])) operations.set(`${method} ${path}`, { method, path });
          }
        }
        // What the endpoint says it serves: the sensitive operations nobody is granted are the ones to try.
        for (const { method, path } of endpoint.operations ?? []) operations.set(`${method} ${path}`, { method, path });
        for (const [operation, { method, path }] of [...operations].sort(([a], [b]) => compareText(a, b))) {
          presets.push({ id: `${id}:${operation}`, title: `rogue pod in ${cell.name}: ${operation} on ${to}`, body: { ...body, method, path } });
        }
      }
    }
  }
  return presets;
}
