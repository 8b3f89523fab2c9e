import { Entity, parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import { CellMemberRule, CellProblem } from '../model/types';
import { CellsSettings } from '../settings/settings';
import { isCellSystem, oncePerEntity, parseCellEntity } from './entity';
import { isRecord } from './fields';

/** Finds an entity by its full ref (`kind:namespace/name`, lower case). */
export type EntityLookup = (ref: string) => Entity | undefined;

/**
 * Where a component stands with the System its `spec.system` names: not in a
 * cell (no system, or not a cell), a member, or refused by that cell.
 */
export type Membership =
  | { status: 'none' }
  | { status: 'member'; cell: string }
  | { status: 'refused'; cell: string; owner: string; members: CellMemberRule[] };

const lower = (value: string) => value.toLocaleLowerCase('en-US');

function refOf(value: unknown, defaultKind: string, defaultNamespace: string): string | undefined {
  if (typeof value !== 'string' || value === '') return undefined;
  try {
    return stringifyEntityRef(parseEntityRef(value, { defaultKind, defaultNamespace }));
  } catch {
    return undefined;
  }
}

/** The ref `spec.system` names, without looking anything up. */
export function systemRefOf(entity: Entity): string | undefined {
  return refOf(isRecord(entity.spec) ? entity.spec.system : undefined, 'system', entity.metadata.namespace ?? 'default');
}

/** An entity's `spec.owner` as a full ref (a bare name is a group of the entity's namespace), or ''. */
export function ownerRefOf(entity: Entity): string {
  return refOf(isRecord(entity.spec) ? entity.spec.owner : undefined, 'group', entity.metadata.namespace ?? 'default') ?? '';
}

// A cell's members are read once per System entity, however many components ask.
const membersOf = oncePerEntity((system): CellMemberRule[] => parseCellEntity(system).cell?.members ?? []);

/** Whether a member rule admits a component of this catalog namespace and owner. */
function admits(rule: CellMemberRule, namespace: string, owner: string): boolean {
  return (
    (rule.namespace === undefined || lower(rule.namespace) === lower(namespace)) &&
    (rule.owner === undefined || (owner !== '' && lower(rule.owner) === lower(owner)))
  );
}

/**
 * A component may join the cell its `spec.system` names when it is in the
 * System's own catalog namespace, or when the System's `spec.cell.members`
 * admits its namespace or owner. Anyone can write `spec.system`; only the
 * cell's owner decides who is in the cell.
 */
export function membershipOf(entity: Entity, lookup: EntityLookup): Membership {
  if (entity.kind.toLowerCase() !== 'component') return { status: 'none' };
  const ref = systemRefOf(entity);
  const system = ref ? lookup(ref) : undefined;
  if (!ref || !system || !isCellSystem(system)) return { status: 'none' };
  const namespace = entity.metadata.namespace ?? 'default';
  if (lower(namespace) === lower(system.metadata.namespace ?? 'default')) return { status: 'member', cell: ref };
  const members = membersOf(system);
  const owner = ownerRefOf(entity);
  if (members.some(rule => admits(rule, namespace, owner))) return { status: 'member', cell: ref };
  return { status: 'refused', cell: ref, owner: ownerRefOf(system), members };
}

/** The cell a component belongs to: the ref of its System when that System is a cell that admits it. */
export function cellOfComponent(entity: Entity, lookup: EntityLookup): string | undefined {
  const membership = membershipOf(entity, lookup);
  return membership.status === 'member' ? membership.cell : undefined;
}

/** The problem of a component a cell refused: on the component itself, never on the cell. */
export function refusedMembershipProblem(entity: Entity, membership: Extract<Membership, { status: 'refused' }>): CellProblem {
  const namespace = entity.metadata.namespace ?? 'default';
  const invited = membership.members.length
    ? `its spec.cell.members admit ${membership.members
        .map(m => [m.namespace && `namespace ${m.namespace}`, m.owner && `owner ${m.owner}`].filter(Boolean).join(' with '))
        .join('; ')}`
    : 'its spec.cell.members admit nobody else';
  return {
    entityRef: stringifyEntityRef(entity),
    field: 'spec.system',
    message: `${membership.cell} does not admit components of catalog namespace ${namespace} (owner ${
      ownerRefOf(entity) || 'none'
    }), so this component may not join it; ${invited}`,
    fix: `ask the owner of ${membership.cell} (${membership.owner || 'its owner'}) to add {namespace: ${namespace}} or {owner: ${
      ownerRefOf(entity) || '<your group>'
    }} to its spec.cell.members, or point spec.system at a cell of your own`,
  };
}

/** Component names the cell's own objects (or Kubernetes and Istio for them) take: see compiler/names.ts. */
export function reservedComponentNames(settings: CellsSettings): string[] {
  // `default`: every namespace's default service account; the waypoint's service account and Service.
  return ['default', ...(settings.mesh.enabled ? [settings.mesh.waypointName] : [])];
}

/** The problem of a cell component whose name its compiled objects reserve, or undefined. */
export function reservedNameProblem(entity: Entity, reserved: readonly string[]): CellProblem | undefined {
  const name = entity.metadata.name;
  if (!reserved.includes(name)) return undefined;
  const why =
    name === 'default'
      ? 'every namespace already has a service account named default, which any pod without its own uses'
      : `the cell's waypoint (cells.mesh.waypointName) takes this name for its service account and Service`;
  return {
    entityRef: stringifyEntityRef(entity),
    field: 'metadata.name',
    message: `a cell component cannot be named ${name}: ${why}`,
    fix: name === 'default' ? 'rename the component' : 'rename the component, or ask the platform team to set cells.mesh.waypointName to another name',
  };
}
