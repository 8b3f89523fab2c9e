/**
 * The pack's values as plain text, the same in every renderer (Markdown adds
 * escaping and code spans; the PDF prints them as they are).
 */
import { AccessMatrix, Difference, RegisterFlow, VerificationRecord } from './types';

export function methodsAndPathsText(d: { methods?: string[]; paths?: string[] }, protocol: string): string {
  if (protocol === 'TCP' || protocol === 'UDP') return 'any (no L7 for this protocol)';
  return `${d.methods ? d.methods.join(', ') : 'any method'} on ${d.paths ? d.paths.join(', ') : 'any path'}`;
}

export function approvalText(f: RegisterFlow): string {
  const a = f.approval;
  if (!a) return 'not recorded';
  return [a.summary, a.at, a.by ? `by ${a.by}` : '', a.link ?? '', a.reason ? `why: ${a.reason}` : ''].filter(Boolean).join(', ');
}

export function statusText(f: RegisterFlow): string {
  if (f.status === 'as-declared') return 'as declared';
  return `${f.status === 'differs' ? 'differs' : 'UNDECLARED'} (${f.violations.join(', ')})`;
}

/** Owners of the flow's declarations, or the callee's owner for an undeclared flow. */
export function ownersText(f: RegisterFlow): string[] {
  const owners = [...new Set(f.declarations.map(d => d.owner))];
  return owners.length ? owners : [`${f.to.owner} (callee)`];
}

/** The declarations' reasons; a flow of a public endpoint only has none by design. */
export function reasonsText(f: RegisterFlow): string[] {
  const reasons = f.declarations.filter(d => d.reason).map(d => d.reason!);
  if (reasons.length) return reasons;
  return [f.declarations.length && f.declarations.every(d => d.kind === 'public') ? 'public endpoint' : 'none given'];
}

export function deniedByText(v: VerificationRecord): string {
  return v.deniedBy ? `L3/L4 ${v.deniedBy['L3/L4']}, mTLS ${v.deniedBy.mTLS}, L7 ${v.deniedBy.L7}` : 'not counted';
}

export function differenceRequestText(d: Difference): string {
  return d.direct ? 'direct to the pod' : [d.method, d.path].filter(Boolean).join(' ') || 'a connection';
}

/** A matrix cell: the endpoints, `·` for none, and `marker` when the other matrix says otherwise. */
export function matrixCellText(m: AccessMatrix, other: AccessMatrix, from: string, to: string, marker = '≠'): string {
  const entry = (x: AccessMatrix) => x.entries.find(e => e.from === from && e.to === to)?.endpoints.join(', ') ?? '';
  const mine = entry(m);
  return `${mine || '·'}${mine !== entry(other) ? ` ${marker}` : ''}`;
}

export function resultText(result: 'pass' | 'fail', differences: number): string {
  return result === 'pass'
    ? 'PASS: in every environment the manifests allow exactly what the catalog declares.'
    : `FAIL: ${differences} request(s) are decided otherwise than the catalog declares (see each difference).`;
}

export const NO_HISTORY_TEXT =
  'Not kept here: this pack was made without a verification history (the command line keeps none). The latest verification above is the one this pack ran.';
export const NO_CHANGES_TEXT =
  'Not available here: this pack was made without a change history (who changed which access, with the link and reason; the command line keeps none).';
export const NO_DIFFERENCE_TEXT = 'None: the manifests allow exactly what the catalog declares.';
export const matrixText = (marker = '≠') =>
  `Intended: what the catalog declares. Enforced: what verify found the manifests allow. Entries are the endpoints (port/protocol) a caller may use; ${marker} marks a pair where the two differ.`;
export const PLATFORM_TEXT = 'Allowed by design beside the declared flows (from the settings; not probed by verify):';
