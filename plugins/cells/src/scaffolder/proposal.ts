import type { Entity } from '@backstage/catalog-model';
import { connectionSpec, newCellEntity, newComponentEntity, withConnection } from '@cellplane/cells-common/browser';
import type { AllowFromSpec, EndpointSpec } from '@cellplane/cells-common/browser';
import type { CellSummary } from '../api/types';
import { normalizeRef } from './reachable';

/**
 * What a template will write, built from its form with the same builders as
 * the cellplane:* actions, so the preview shows the entity the run writes.
 * Each kind reads the parameters of its template in examples/templates.
 */
export type ProposalKind = 'cell' | 'component' | 'connection';

export const PROPOSAL_KINDS: ProposalKind[] = ['cell', 'component', 'connection'];

/** The entities, or what the form still lacks (in words). */
export type Proposal = { entities: Entity[] } | { missing: string };

/** What a proposal needs from outside the form: the cells (for a component's owner) and the caller entity. */
export interface ProposalContext {
  cells?: CellSummary[];
  /** The caller as the catalog has it (kind connection). */
  caller?: Entity;
}

const text = (value: unknown): string | undefined => (typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined);
const strings = (value: unknown): string[] | undefined =>
  Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string' && v !== '') : undefined;
const record = (value: unknown): Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};

/** The component ref of the caller (kind connection), for looking its entity up. */
export function callerOf(formData: Record<string, unknown>): string | undefined {
  return normalizeRef(formData.from, 'component');
}

export function buildProposal(kind: ProposalKind, formData: Record<string, unknown>, context: ProposalContext = {}): Proposal {
  if (kind === 'cell') {
    const name = text(formData.name);
    const owner = normalizeRef(formData.owner, 'group');
    if (!name || !owner) return { missing: 'the name and the owner team' };
    return {
      entities: [newCellEntity({ name, owner, description: text(formData.description), environments: strings(formData.environments) })],
    };
  }
  if (kind === 'component') {
    const name = text(formData.name);
    const cellRef = normalizeRef(formData.cell, 'system');
    const endpoints = Array.isArray(formData.endpoints) ? (formData.endpoints as EndpointSpec[]) : [];
    if (!name || !cellRef || endpoints.length === 0) return { missing: 'the name, the cell and at least one endpoint' };
    const cell = context.cells?.find(c => c.entityRef === cellRef);
    if (!cell) return { missing: `a cell the cells backend knows (${cellRef} is not one yet)` };
    return {
      entities: [
        newComponentEntity({
          name,
          cell: cellRef,
          owner: cell.owner,
          description: text(formData.description),
          endpoints,
          allowFrom: Array.isArray(formData.allowFrom) ? (formData.allowFrom as AllowFromSpec[]) : undefined,
        }),
      ],
    };
  }
  const caller = callerOf(formData);
  const target = record(formData.target);
  const to = normalizeRef(target.component, 'component');
  if (!caller || !to) return { missing: 'the caller and the target endpoint' };
  if (!context.caller) return { missing: `${caller} in the catalog` };
  const access = record(formData.access);
  return {
    entities: [
      withConnection(
        // What the file declares; relations and status are the catalog's own.
        { apiVersion: context.caller.apiVersion, kind: context.caller.kind, metadata: context.caller.metadata, spec: context.caller.spec },
        connectionSpec(caller, to, { endpoint: text(target.endpoint), methods: strings(access.methods), paths: strings(access.paths) }),
      ),
    ],
  };
}
