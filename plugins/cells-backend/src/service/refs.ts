import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';
import type { CellComponent, CellModel, SimulatedCaller } from '@cellplane/cells-common';
import type { SimulateBody } from '../schema/types';

/**
 * `system:<namespace>/<name>`, `<namespace>/<name>` or `<name>` -> the cell's
 * entity ref. A value that is no entity ref, or names another kind, is the
 * caller's mistake: InputError naming the field.
 */
export function parseCellRef(value: string, field: string): string {
  let ref: string;
  try {
    ref = stringifyEntityRef(parseEntityRef(value, { defaultKind: 'system', defaultNamespace: 'default' }));
  } catch {
    throw new InputError(`${field}: ${JSON.stringify(value)} is not an entity ref; write system:<namespace>/<name>`);
  }
  if (!ref.startsWith('system:')) throw new InputError(`${field}: ${value} is not a System; cells are Systems with spec.cell`);
  return ref;
}

/** Looks names up in one catalog model, the way the API's fields name cells and components. */
export class ModelRefs {
  private readonly cellNames: Map<string, string>;
  private componentCells?: Map<string, string>;

  constructor(readonly model: CellModel) {
    this.cellNames = new Map(model.cells.map(c => [c.ref, c.name]));
  }

  hasCell(ref: string): boolean {
    return this.cellNames.has(ref);
  }

  /** `<cell>/<component>` of a component, as the analyzer's answers name it. */
  label(component: CellComponent): string {
    return `${this.cellNames.get(component.cell) ?? component.cell}/${component.name}`;
  }

  /** `<cell>/<component>` or a component entity ref -> the component; InputError naming the field otherwise. */
  component(value: string, field: string): CellComponent {
    if (value.includes(':')) {
      const found = this.model.components.find(c => c.ref === value);
      if (!found) throw new InputError(`${field}: no component ${value} in any cell`);
      return found;
    }
    const [cellName, name, extra] = value.split('/');
    const found = this.model.components.find(c => c.name === name && this.cellNames.get(c.cell) === cellName);
    if (extra !== undefined || !found) throw new InputError(`${field}: no component ${JSON.stringify(value)}; write <cell>/<component>, e.g. houston/capcom`);
    return found;
  }

  /** Cells a name or entity ref names (a name can be a cell's in several catalog namespaces). */
  cellsNamed(value: string): string[] {
    return this.model.cells.filter(c => c.ref === value || c.name === value).map(c => c.ref);
  }

  /** One cell by name or ref; InputError naming the field when there is none. */
  cell(value: string, field: string): string {
    const [found] = this.cellsNamed(value);
    if (!found) throw new InputError(`${field}: no cell ${JSON.stringify(value)}`);
    return found;
  }

  /**
   * The cells an attack list's `target` is about: a cell (name or ref), or the
   * cell of a component (`<cell>/<component>` or ref). Empty when it names
   * nothing (the core then says so, naming the field).
   */
  cellsOfTarget(value: string): string[] {
    const cells = this.cellsNamed(value);
    if (cells.length > 0) return cells;
    return this.model.components.filter(c => c.ref === value || this.label(c) === value).map(c => c.cell);
  }

  /** The cell of a component entity ref. */
  cellOfComponent(ref: string): string | undefined {
    this.componentCells ??= new Map(this.model.components.map(c => [c.ref, c.cell]));
    return this.componentCells.get(ref);
  }

  /** The caller a body names, and the cell whose policies decide for it (none for the gateway). */
  caller(from: SimulateBody['from'], field: string): { caller: SimulatedCaller; cell?: string } {
    if (typeof from === 'string') {
      const component = this.component(from, field);
      return { caller: { component: component.ref }, cell: component.cell };
    }
    if ('rogue' in from) {
      const cell = this.cell(from.rogue, `${field}.rogue`);
      return { caller: { rogue: cell }, cell };
    }
    return { caller: { gateway: true } };
  }
}
