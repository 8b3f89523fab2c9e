import { CellModel } from '../model/types';
import { compareText } from '../order';
import { catalogAllows } from '../verify/oracle';
import { AllowedRequest } from '../verify/verify';
import { requestText } from './register';
import { RegisterFlow } from './types';

/**
 * A check of a register against verify, independent of how the register was
 * built: given the requests a verify run of the whole environment found
 * allowed, the register of a cell must account for exactly those into, out
 * of and within the cell. Tests of every source of packs (the core, the
 * backend's route) use it; an auditor's tooling may too.
 */
export interface RegisterCheck {
  /** `caller -> callee endpoint` of allowed flows the register has no row for, and rows no allowed flow supports. */
  missingFlows: string[];
  extraFlows: string[];
  /** Allowed requests no row accounts for (`caller -> callee endpoint request`). */
  unaccountedRequests: string[];
  /** Rows (`Fn`) that account for no allowed request. */
  unsupportedRows: string[];
}

export function checkRegister(model: CellModel, cellRef: string, register: RegisterFlow[], allowed: AllowedRequest[]): RegisterCheck {
  const cellOf = new Map(model.components.map(c => [c.ref, c.cell]));
  const labelOf = new Map(model.components.map(c => [c.ref, `${model.cells.find(x => x.ref === c.cell)!.name}/${c.name}`]));
  // The caller of a request as the register labels it.
  const callerLabel = (r: AllowedRequest) => {
    if (r.caller.kind === 'gateway') return 'gateway';
    if (r.caller.kind === 'rogue') return `rogue:${r.caller.cell.split('/')[1]}`;
    return labelOf.get(r.caller.ref)!;
  };
  const touches = (r: AllowedRequest) =>
    cellOf.get(r.callee) === cellRef ||
    (r.caller.kind === 'component' ? cellOf.get(r.caller.ref) === cellRef : r.caller.kind === 'rogue' && r.caller.cell === cellRef);
  // A row accounts for a request when one of its declarations covers it, or it lists it as undeclared.
  const covers = (row: RegisterFlow, r: AllowedRequest) => {
    if (row.from.label !== callerLabel(r) || row.to.ref !== r.callee || row.endpoint !== r.endpoint) return false;
    if (row.undeclaredRequests?.includes(requestText(r))) return true;
    return row.declarations.some(d => {
      // A declaration narrowed to an API's operations is several grants of one field (one per path).
      const grants = model.grants.filter(
        g =>
          g.declaredBy === d.entity &&
          g.field === d.field &&
          g.callee === r.callee &&
          (g.caller.kind === 'gateway' || g.caller.ref === (r.caller as { ref: string }).ref),
      );
      return (
        grants.length > 0 &&
        !r.direct &&
        catalogAllows({ ...model, grants }, r.caller, { callee: r.callee, endpoint: r.endpoint, method: r.method, path: r.path })
      );
    });
  };
  const mine = allowed.filter(touches);
  const flowKey = (from: string, to: string, endpoint: string) => `${from} -> ${to} ${endpoint}`;
  const allowedFlows = new Set(mine.map(r => flowKey(callerLabel(r), r.callee, r.endpoint)));
  const rowFlows = new Set(register.map(r => flowKey(r.from.label, r.to.ref, r.endpoint)));
  const sorted = (items: string[]) => [...new Set(items)].sort(compareText);
  return {
    missingFlows: sorted([...allowedFlows].filter(f => !rowFlows.has(f))),
    extraFlows: sorted([...rowFlows].filter(f => !allowedFlows.has(f))),
    unaccountedRequests: sorted(
      mine.filter(r => !register.some(row => covers(row, r))).map(r => `${flowKey(callerLabel(r), r.callee, r.endpoint)} ${requestText(r)}`),
    ),
    unsupportedRows: register.filter(row => !mine.some(r => covers(row, r))).map(row => row.id),
  };
}
