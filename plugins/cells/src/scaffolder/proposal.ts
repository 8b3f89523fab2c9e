import type { Entity } from '@backstage/catalog-model';
import { connectionSpec, egressEntry, newCellEntity, newComponentEntity, withConnection, withEgress, withoutConnection } from '@cellplane/cells-common/browser';
import type { AllowFromSpec, EndpointSpec } from '@cellplane/cells-common/browser';
import type { CellSummary } from '../api/types';
import { normalizeRef } from './reachable';

/**
 * What a template will write, built from its form with the same builders as
 * the cellplane:* actions, so the preview shows the entity the run writes.
 * Each kind reads the parameters of its template in examples/templates.
 */
export type ProposalKind = 'cell' | 'component' | 'connection' | 'egress' | 'remove-connection';

export const PROPOSAL_KINDS: ProposalKind[] = ['cell', 'component', 'connection', 'egress', 'remove-connection'];

/** The entities, or what the form still lacks (in words). */
export type Proposal = { entities: Entity[] } | { missing: string };

/** What a proposal needs from outside the form: the cells (for a component's owner) and the edited component. */
export interface ProposalContext {
  cells?: CellSummary[];
  /** The component the change edits, as the catalog has it (kinds connection, egress, remove-connection). */
  caller?: Entity;
}

const text = (value: unknown): string | undefined => (typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined);
const strings = (value: unknown): string[] | undefined =>
  Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string' && v !== '') : undefined;
const record = (value: unknown): Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};

/** The ref of the component a kind edits (`from`, or `component` for egress), for looking its entity up; none for new entities. */
export function callerOf(formData: Record<string, unknown>, kind: ProposalKind = 'connection'): string | undefined {
  if (kind === 'cell' || kind === 'component') return undefined;
  return normalizeRef(kind === 'egress' ? formData.component : formData.from, 'component');
}

/** What the file declares; relations and status are the catalog's own. */
const declared = (entity: Entity): Entity => ({ apiVersion: entity.apiVersion, kind: entity.kind, metadata: entity.metadata, spec: entity.spec });

/** The egress entry of the "Allow an external call" form: only the chosen branch's values, as its template passes them. */
export function egressOfForm(formData: Record<string, unknown>) {
  const access = record(formData.access);
  const ports = Array.isArray(formData.ports) ? formData.ports.filter((p): p is number => typeof p === 'number') : [];
  if (formData.destination === 'cidr') {
    return egressEntry({
      cidr: text(formData.cidr),
      except: strings(formData.except),
      ports,
      protocol: text(formData.cidrProtocol),
      reason: text(formData.reason),
    });
  }
  return egressEntry({
    host: text(formData.host),
    ports,
    protocol: text(formData.protocol),
    methods: strings(access.methods),
    paths: strings(access.paths),
    reason: text(formData.reason),
  });
}

function editProposal(kind: 'egress' | 'remove-connection', formData: Record<string, unknown>, context: ProposalContext): Proposal {
  const ref = callerOf(formData, kind);
  if (kind === 'egress') {
    const entry = egressOfForm(formData);
    if (!ref || (!entry.host && !entry.cidr) || (entry.port === undefined && entry.ports === undefined)) {
      return { missing: 'the component, the destination and its ports' };
    }
    if (!context.caller) return { missing: `${ref} in the catalog` };
    return { entities: [withEgress(declared(context.caller), entry)] };
  }
  const call = record(formData.call);
  if (!ref || typeof call.index !== 'number') return { missing: 'the caller and the call to remove' };
  if (!context.caller) return { missing: `${ref} in the catalog` };
  return { entities: [withoutConnection(declared(context.caller), call.index)] };
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
  if (kind === 'egress' || kind === 'remove-connection') return editProposal(kind, formData, context);
  const caller = callerOf(formData);
  const target = record(formData.target);
  const to = normalizeRef(target.component, 'component');
  if (!caller || !to) return { missing: 'the caller and the target endpoint' };
  if (!context.caller) return { missing: `${caller} in the catalog` };
  const access = record(formData.access);
  return {
    entities: [
      withConnection(
        declared(context.caller),
        connectionSpec(caller, to, { endpoint: text(target.endpoint), methods: strings(access.methods), paths: strings(access.paths) }),
      ),
    ],
  };
}
