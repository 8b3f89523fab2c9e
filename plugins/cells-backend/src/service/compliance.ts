import { ComponentProtection, KubeObject, VerifyReport, wildcardPrincipals } from '@cellplane/cells-common';
import { StoredCellStatus } from '../storage/types';
import type { CellDetail, CellState } from '../schema/types';

const UNPROTECTED: ComponentProtection = { l3l4: false, mtls: false, l7: false };

/** A cell's state in an environment: pending while the catalog changed since the last pass, else what the last pass stored. */
export function cellStateOf(
  neverApplied: boolean,
  stored: StoredCellStatus | undefined,
  entityRef: string,
  environment: string,
  pending: Set<string>,
): { state: CellState; message: string } {
  if (pending.has(entityRef) && stored?.state !== 'error') {
    return { state: 'pending', message: neverApplied ? 'waiting for the first reconcile' : 'catalog changes wait for the next reconcile' };
  }
  if (!stored) return { state: 'not-applied', message: `not reconciled to ${environment} yet` };
  return { state: stored.state, message: stored.message };
}

/** The summary of a cell nothing could be analysed for: every member counted, none protected. */
export function noCompliance(members: Set<string>): CellDetail['compliance'] {
  return { components: members.size, protectedL3L4: 0, protectedMtls: 0, protectedL7: 0, wildcardPrincipals: 0, requestsChecked: 0, violations: 0 };
}

/** The compliance summary of a cell from its members' protection, its objects and its latest verification. */
export function complianceOf(
  members: Set<string>,
  protection: Map<string, ComponentProtection>,
  objects: KubeObject[],
  verified: { report: VerifyReport; at: string },
): CellDetail['compliance'] {
  const protections = [...members].map(c => protection.get(c) ?? UNPROTECTED);
  return {
    components: members.size,
    protectedL3L4: protections.filter(p => p.l3l4).length,
    protectedMtls: protections.filter(p => p.mtls).length,
    protectedL7: protections.filter(p => p.l7).length,
    wildcardPrincipals: wildcardPrincipals(objects),
    requestsChecked: verified.report.checks,
    violations: verified.report.violations.filter(v => members.has(v.callee)).length,
    lastVerifiedAt: verified.at,
  };
}
