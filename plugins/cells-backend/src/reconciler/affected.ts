import { Entity, parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import { CellModel, CellProblem } from '@cellplane/cells-common';

/**
 * The cells whose compiled objects can depend on the given entities: a
 * component's own cell and every cell it calls or is called by (rules name
 * both ends), a System's cell and the cells linked to its components. Looked
 * up in the model before and after the change, so a removed call still marks
 * the cell that has to close it.
 */
export function affectedCells(entityRefs: Iterable<string>, models: (CellModel | undefined)[]): Set<string> {
  const affected = new Set<string>();
  const refs = new Set(entityRefs);
  for (const model of models) {
    if (!model) continue;
    const cellOf = new Map(model.components.map(c => [c.ref, c.cell]));
    const touched = new Set<string>();
    for (const cell of model.cells) {
      if (refs.has(cell.ref)) {
        affected.add(cell.ref);
        cell.components.forEach(c => touched.add(c));
      }
    }
    for (const ref of refs) {
      const cell = cellOf.get(ref);
      if (cell) {
        affected.add(cell);
        touched.add(ref);
      }
    }
    for (const grant of model.grants) {
      const callerCell = grant.caller.kind === 'component' ? cellOf.get(grant.caller.ref) : undefined;
      const calleeCell = cellOf.get(grant.callee);
      const callerTouched = grant.caller.kind === 'component' && touched.has(grant.caller.ref);
      if (callerTouched || touched.has(grant.callee)) {
        if (callerCell) affected.add(callerCell);
        if (calleeCell) affected.add(calleeCell);
      }
    }
  }
  return affected;
}

/** The cell an entity with a problem belongs to: the System itself, or the Component's spec.system. */
export function cellOfProblem(problem: CellProblem, entities: Map<string, Entity>): string | undefined {
  const entity = entities.get(problem.entityRef);
  if (!entity) return undefined;
  if (entity.kind.toLowerCase() === 'system') return problem.entityRef;
  const system = (entity.spec as { system?: unknown } | undefined)?.system;
  if (typeof system !== 'string' || !system) return undefined;
  try {
    return stringifyEntityRef(parseEntityRef(system, { defaultKind: 'system', defaultNamespace: entity.metadata.namespace ?? 'default' }));
  } catch {
    return undefined;
  }
}
