import { CellModel, CellsSettings, cellNamespace, diffAccess, KubeObject } from '@cellplane/cells-common';
import { analysable, CompiledView, withoutCells } from './analysis';
import { refuseFailed } from './analyst';

/**
 * The access diff of a cell's plan: what its freshly compiled objects allow
 * or deny compared with what is applied in the environment. When another
 * cell's manifests stop the analyzer, the diff leaves the cells it cannot
 * analyse out (a 409 if the planned cell is one of them).
 */
export function planAccessDiff(input: {
  settings: CellsSettings;
  environment: string;
  ref: string;
  /** What is applied in the environment: its model and every object. */
  before: { model: CellModel; objects: KubeObject[] };
  /** The planned cell's objects as applied now, if it is applied. */
  applied?: KubeObject[];
  /** The planned cell's objects as compiled now. */
  compiled: KubeObject[];
  current: CellModel;
  view: () => CompiledView;
}) {
  const { settings, environment, ref, before, applied, compiled, current } = input;
  const diff = (without: ReadonlySet<string>) => {
    const keep = (model: CellModel, objects: KubeObject[]) => {
      const gone = new Set(model.cells.filter(c => without.has(c.ref)).map(c => cellNamespace(settings, c, environment)));
      return {
        model: withoutCells(model, without),
        settings,
        objects: objects.filter(o => !gone.has(o.metadata.namespace ?? o.metadata.name)),
      };
    };
    const after = [...before.objects.filter(o => !applied?.includes(o)), ...compiled];
    return diffAccess(keep(before.model, before.objects), keep(current, after), { environment, cells: [ref] });
  };
  try {
    return diff(new Set());
  } catch {
    // Another cell's manifests stop the analyzer: diff without the cells it cannot analyse.
    const view = input.view();
    try {
      analysable(view, current, settings);
    } catch {
      // The failures found so far are still left out below.
    }
    refuseFailed(view, environment, [ref]);
    return diff(new Set(view.failures.keys()));
  }
}
