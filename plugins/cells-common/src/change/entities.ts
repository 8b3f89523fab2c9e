import { Entity, parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import { AllowFromSpec, ConnectionSpec, EndpointSpec } from '../model/types';

/**
 * The entities a Cellplane template writes, built one way for the scaffolder
 * actions (which write them) and the portal's preview (which shows their
 * access diff before the user confirms). Pure: no catalog look-ups; callers
 * pass refs they resolved.
 */

/** A form leaves optional fields empty (`''`, `[]`); the entity leaves them out, as a person would. */
function dropEmpty<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(
    Object.entries(value).filter(([, v]) => v !== undefined && v !== null && v !== '' && !(Array.isArray(v) && v.length === 0)),
  ) as Partial<T>;
}

export interface NewCellInput {
  name: string;
  /** Owner group ref, e.g. `group:default/houston-flight-ops`. */
  owner: string;
  description?: string;
  environments?: string[];
  /** Catalog namespace; default `default`. */
  namespace?: string;
}

/** A System with `spec.cell`. */
export function newCellEntity(input: NewCellInput): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'System',
    metadata: {
      name: input.name,
      ...(input.namespace ? { namespace: input.namespace } : {}),
      ...(input.description ? { description: input.description } : {}),
    },
    spec: {
      owner: input.owner,
      cell: input.environments?.length ? { environments: input.environments } : {},
    },
  };
}

export interface NewComponentInput {
  name: string;
  /** The cell's System ref, e.g. `system:default/houston`; the component goes in its catalog namespace. */
  cell: string;
  /** Owner group ref (usually the cell's owner). */
  owner: string;
  description?: string;
  type?: string;
  lifecycle?: string;
  endpoints: EndpointSpec[];
  allowFrom?: AllowFromSpec[];
}

/** A Component in a cell, with its endpoints and who may call them. */
export function newComponentEntity(input: NewComponentInput): Entity {
  const cell = parseEntityRef(input.cell, { defaultKind: 'system', defaultNamespace: 'default' });
  // An item left blank stays, so validation names it instead of it vanishing.
  const allowFrom = (input.allowFrom ?? []).map(grant => dropEmpty(grant));
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: {
      name: input.name,
      ...(cell.namespace !== 'default' ? { namespace: cell.namespace } : {}),
      ...(input.description ? { description: input.description } : {}),
    },
    // The spec types are stricter than JSON's; they are JSON.
    spec: {
      type: input.type || 'service',
      lifecycle: input.lifecycle || 'experimental',
      owner: input.owner,
      system: stringifyEntityRef(cell),
      endpoints: input.endpoints,
      ...(allowFrom.length ? { allowFrom } : {}),
    } as Record<string, unknown> as Entity['spec'],
  };
}

/**
 * One `spec.connections` item from `caller` to `target` (component refs): the
 * target by name when both share a catalog namespace, empty options left out.
 */
export function connectionSpec(caller: string, target: string, options: { endpoint?: string; methods?: string[]; paths?: string[] } = {}): ConnectionSpec {
  const from = parseEntityRef(caller, { defaultKind: 'component', defaultNamespace: 'default' });
  const to = parseEntityRef(target, { defaultKind: 'component', defaultNamespace: 'default' });
  return {
    to: from.namespace === to.namespace ? to.name : stringifyEntityRef(to),
    ...dropEmpty({ endpoint: options.endpoint, methods: options.methods, paths: options.paths }),
  };
}

/** A copy of a component with one more connection. */
export function withConnection(entity: Entity, connection: ConnectionSpec): Entity {
  const spec = (entity.spec ?? {}) as Record<string, unknown>;
  const connections = Array.isArray(spec.connections) ? spec.connections : [];
  return { ...entity, spec: { ...spec, connections: [...connections, connection] } as Entity['spec'] };
}

/** What a template's form gives for one `spec.egress` item: a host or a network (validation judges it). */
export interface EgressEntryInput {
  host?: string;
  cidr?: string;
  except?: string[];
  /** One port is written `port`, several `ports`. */
  ports?: number[];
  protocol?: string;
  methods?: string[];
  paths?: string[];
  reason?: string;
}

/**
 * One `spec.egress` item as a person writes it, keys in the cell format's
 * order and empty form fields left out. Nothing is decided here: an entry with
 * both a host and a cidr, or neither, is kept so the core's validation names it.
 */
export function egressEntry(input: EgressEntryInput): Record<string, unknown> {
  const ports = input.ports ?? [];
  const text = (v: string | undefined) => (typeof v === 'string' ? v.trim() : v);
  return dropEmpty({
    host: text(input.host),
    cidr: text(input.cidr),
    except: input.except,
    ...(ports.length === 1 ? { port: ports[0] } : { ports }),
    protocol: input.protocol,
    methods: input.methods,
    paths: input.paths,
    reason: text(input.reason),
  });
}

/** A copy of a component with one more `spec.egress` item. */
export function withEgress(entity: Entity, entry: Record<string, unknown>): Entity {
  const spec = (entity.spec ?? {}) as Record<string, unknown>;
  const egress = Array.isArray(spec.egress) ? spec.egress : [];
  return { ...entity, spec: { ...spec, egress: [...egress, entry] } as Entity['spec'] };
}

/** A copy of a component without its `spec.connections[index]`; without the field when it was the last one. */
export function withoutConnection(entity: Entity, index: number): Entity {
  const { connections, ...rest } = (entity.spec ?? {}) as Record<string, unknown>;
  const left = Array.isArray(connections) ? connections.filter((_, i) => i !== index) : [];
  return { ...entity, spec: (left.length ? { ...rest, connections: left } : rest) as Entity['spec'] };
}
