import { AccessDiffView, CellModel, CellProblem, CellsSettings, compileCells, diffAccess, Holders, KubeObject } from '@cellplane/cells-common';
import { DesiredCell, EGRESS_UNIT_NAME, egressUnitRef } from '@cellplane/plugin-cells-node';

/**
 * The core's compiler and access diff are pure, but a hostile catalog can
 * still make them throw. These wrappers keep such a failure to the cells it
 * concerns: the pass goes on, and what failed is recorded as a problem or in
 * the history instead of failing every cell.
 */
export type Compile = typeof compileCells;
export type DiffAccess = typeof diffAccess;

export const messageOf = (e: unknown) => (typeof e === 'object' && e !== null && 'message' in e ? String(e.message) : String(e));

export interface Compiled {
  desired: Map<string, DesiredCell>;
  problems: CellProblem[];
}

function compiledOf(result: ReturnType<Compile>, environment: string): Compiled {
  const desired = new Map<string, DesiredCell>();
  for (const c of result.cells) {
    desired.set(c.cell, { entityRef: c.cell, cellName: c.cellName, environment, namespace: c.namespace, objects: c.objects });
  }
  return { desired, problems: result.problems };
}

/**
 * Compiles `cells` of one environment. When the compiler throws, each cell is
 * compiled alone, and a cell it still throws on is held with a problem that
 * says so: the others compile as if nothing happened.
 */
export function compileIsolated(
  compile: Compile,
  input: { model: CellModel; settings: CellsSettings; environment: string; cells: ReadonlySet<string>; holders?: Holders },
): Compiled {
  const { model, settings, environment, cells, holders } = input;
  if (cells.size === 0) return { desired: new Map(), problems: [] };
  try {
    return compiledOf(compile(model, settings, { ...holders, environment, cells }), environment);
  } catch {
    const desired = new Map<string, DesiredCell>();
    const problems = new Map<string, CellProblem>();
    for (const ref of [...cells].sort()) {
      try {
        const one = compiledOf(compile(model, settings, { ...holders, environment, cells: new Set([ref]) }), environment);
        one.desired.forEach((cell, key) => desired.set(key, cell));
        one.problems.forEach(p => problems.set(JSON.stringify(p), p));
      } catch (e) {
        const problem: CellProblem = {
          entityRef: ref,
          field: 'spec.cell',
          message: `the compiler failed on this cell in ${environment} (${messageOf(e)})`,
          fix: 'correct the cell or its components; if they look right, report this as a Cellplane bug with the message',
        };
        problems.set(JSON.stringify(problem), problem);
      }
    }
    return { desired, problems: [...problems.values()] };
  }
}

/** The egress unit of an environment: its objects (none when no cell declares a host), or why it could not be compiled. */
export type CompiledEgressUnit = { cell: DesiredCell | undefined } | { error: string };

/**
 * Compiles the platform egress namespace of one environment (from the whole
 * model: it is shared by every cell) as the unit a target applies. A throw
 * is the unit's error, never the pass's.
 */
export function compileEgressIsolated(compile: Compile, input: { model: CellModel; settings: CellsSettings; environment: string }): CompiledEgressUnit {
  const { model, settings, environment } = input;
  try {
    const egress = compile(model, settings, { environment, cells: new Set() }).egress.find(e => e.environment === environment);
    return {
      cell: egress && { entityRef: egressUnitRef(environment), cellName: EGRESS_UNIT_NAME, environment, namespace: egress.namespace, objects: egress.objects },
    };
  } catch (e) {
    return { error: `the compiler failed on the egress namespace of ${environment} (${messageOf(e)})` };
  }
}

/** A cell's access diff, or why it could not be computed. */
export interface CellDiff {
  diff: AccessDiffView;
  error?: string;
}

const EMPTY: AccessDiffView = { added: [], removed: [] };

/** The part of an environment's access diff that concerns one cell: calls to it, from it, or from a rogue pod in it. */
export function diffOfCell(diff: AccessDiffView, cellName: string): AccessDiffView {
  const inCell = (c: { from: string; to: string }) => c.to.startsWith(`${cellName}/`) || c.from.startsWith(`${cellName}/`) || c.from === `rogue:${cellName}`;
  return { added: diff.added.filter(inCell), removed: diff.removed.filter(inCell) };
}

/**
 * The access diff of each changed cell between what the target held and what
 * it holds now. One diff for all of them; when that throws, one per cell, so
 * a cell whose diff cannot be computed says so in its own history entry only.
 */
export function diffIsolated(
  diff: DiffAccess,
  input: {
    settings: CellsSettings;
    environment: string;
    before: { model: CellModel; objects: KubeObject[] };
    after: { model: CellModel; objects: KubeObject[] };
    /** entity ref -> cell name */
    cells: Map<string, string>;
  },
): Map<string, CellDiff> {
  const { settings, environment, before, after, cells } = input;
  const out = new Map<string, CellDiff>();
  if (cells.size === 0) return out;
  const run = (refs: string[]) => diff({ ...before, settings }, { ...after, settings }, { environment, cells: refs });
  try {
    const whole = run([...cells.keys()]);
    cells.forEach((name, ref) => out.set(ref, { diff: diffOfCell(whole, name) }));
  } catch {
    cells.forEach((name, ref) => {
      try {
        out.set(ref, { diff: diffOfCell(run([ref]), name) });
      } catch (e) {
        out.set(ref, { diff: EMPTY, error: messageOf(e) });
      }
    });
  }
  return out;
}
