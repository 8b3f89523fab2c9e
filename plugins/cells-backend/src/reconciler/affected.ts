import { CellModel, CellProblem } from '@cellplane/cells-common';

/**
 * The cells whose compiled objects can depend on each given entity: a
 * component's own cell and every cell it calls or is called by (rules name
 * both ends), a System's cell and the cells linked to its components, an
 * API's the cells of the components serving it and those linked to them, a
 * Group's or User's the cells it owns (it is their RoleBinding's subject). Looked
 * up in the model before and after the change, so a removed call still marks
 * the cell that has to close it. One pass over each model, however many
 * entities are asked about.
 */
export function affectedCellsByEntity(entityRefs: Iterable<string>, models: (CellModel | undefined)[]): Map<string, Set<string>> {
  const result = new Map<string, Set<string>>();
  const refs = [...entityRefs];
  // Nothing asked (no pending change, every API request's case): skip the passes over the models.
  if (refs.length === 0) return result;
  refs.forEach(ref => result.set(ref, new Set()));
  for (const model of models) {
    if (!model) continue;
    const cellOf = new Map(model.components.map(c => [c.ref, c.cell]));
    // The cells each component is linked to by a call, in either direction.
    const linked = new Map<string, Set<string>>();
    const link = (component: string, cell: string | undefined) => {
      if (!cell) return;
      let set = linked.get(component);
      if (!set) linked.set(component, (set = new Set()));
      set.add(cell);
    };
    for (const grant of model.grants) {
      const calleeCell = cellOf.get(grant.callee);
      if (grant.caller.kind !== 'component') continue;
      const callerCell = cellOf.get(grant.caller.ref);
      link(grant.caller.ref, calleeCell);
      link(grant.callee, callerCell);
    }
    // An API entity: the components whose endpoints serve it (their grants are narrowed to its operations).
    const servedBy = new Map<string, string[]>();
    for (const c of model.components) {
      for (const api of c.endpoints.flatMap(e => e.api?.refs ?? [])) servedBy.set(api, [...(servedBy.get(api) ?? []), c.ref]);
    }
    const cellByRef = new Map(model.cells.map(c => [c.ref, c]));
    for (const ref of refs) {
      const out = result.get(ref)!;
      const components: string[] = [];
      const cell = cellByRef.get(ref);
      if (cell) {
        out.add(cell.ref);
        components.push(...cell.components);
      }
      for (const component of [ref, ...(servedBy.get(ref) ?? [])]) {
        const own = cellOf.get(component);
        if (own) {
          out.add(own);
          components.push(component);
        }
      }
      for (const c of components) linked.get(c)?.forEach(l => out.add(l));
    }
    for (const cell of model.cells) result.get(cell.owner)?.add(cell.ref);
  }
  return result;
}

/** The union of affectedCellsByEntity over the given entities. */
export function affectedCells(entityRefs: Iterable<string>, models: (CellModel | undefined)[]): Set<string> {
  const all = new Set<string>();
  for (const cells of affectedCellsByEntity(entityRefs, models).values()) cells.forEach(c => all.add(c));
  return all;
}

/**
 * The cell a problem holds back, as the core decided (CellProblem.holds): the
 * System's own cell, or the cell that admitted the component; none for a
 * component a cell refused, so an intruder never holds its victim back.
 */
export function cellOfProblem(problem: CellProblem): string | undefined {
  return problem.holds;
}
