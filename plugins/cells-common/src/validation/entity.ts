import { Entity, parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import {
  AllowFromSpec,
  CellMemberRule,
  ConnectionSpec,
  EgressCeiling,
  EgressRule,
  Enforcement,
  ENFORCEMENT_MODES,
  MetricsSpec,
  ENDPOINT_PROTOCOLS,
  EndpointOperation,
  EndpointProtocol,
  EndpointSpec,
  HTTP_METHODS,
  VISIBILITIES,
  Visibility,
} from '../model/types';
import { DNS_LABEL, MESH_RESERVED_PORTS, ProblemList, checkMethods, checkPaths, isPortName, isRecord, pathPatternError } from './fields';
import { checkObjectKeys, checkSpecKeys } from './keys';
import { checkReason, DeclarationRules } from './reason';
import { parseCeiling, parseEgress } from './egress';
import { parseMetrics } from './platform';
import { checkFrontDoor, frontDoorFieldsProblem, frontDoorRules, parseEndpointAuth, parseRateLimit } from './frontDoor';

/** The cell parts of one entity after its own checks; invalid items are left out. */
export interface ParsedCellEntity {
  ref: string;
  /** Set for a System with `spec.cell`. */
  cell?: { environments?: string[]; members: CellMemberRule[]; egress?: EgressCeiling; enforcement?: Enforcement };
  /** Set for a Component with any of endpoints/connections/allowFrom. */
  component?: {
    endpoints: EndpointSpec[];
    /** Public endpoints the platform's front-door rules refuse (e.g. no `auth`): the gateway gets no grant to them. */
    closedToGateway: Set<string>;
    connections: { spec: ConnectionSpec; field: string; target: string }[];
    allowFrom: { spec: AllowFromSpec; field: string; source: string; sourceKind: 'component' | 'system' }[];
    /** `spec.egress`, shape-checked; the ceiling and platform checks need the cell (catalog.ts). */
    egress: EgressRule[];
    /** `spec.metrics`, shape-checked; the endpoint and scraper checks need the settings (catalog.ts). */
    metrics?: MetricsSpec;
  };
  problems: ProblemList;
}

const CELL_COMPONENT_FIELDS = ['endpoints', 'connections', 'allowFrom', 'egress'] as const;

export function entityRefOf(entity: Entity): string {
  return stringifyEntityRef(entity);
}

/** A function of an entity computed once per entity object (entities are looked up many times, parsed once). */
export function oncePerEntity<T>(compute: (entity: Entity) => T): (entity: Entity) => T {
  const cache = new WeakMap<Entity, T>();
  return entity => {
    if (!cache.has(entity)) cache.set(entity, compute(entity));
    return cache.get(entity)!;
  };
}

/** True for a System that declares `spec.cell`. */
export function isCellSystem(entity: Entity): boolean {
  return entity.kind.toLowerCase() === 'system' && isRecord(entity.spec) && 'cell' in entity.spec;
}

/** True for a Component that declares any Cellplane field. */
export function isCellComponent(entity: Entity): boolean {
  return entity.kind.toLowerCase() === 'component' && isRecord(entity.spec) && CELL_COMPONENT_FIELDS.some(f => f in (entity.spec as object));
}

function resolveRef(list: ProblemList, field: string, value: unknown, kind: 'component' | 'system', defaultNamespace: string): string | undefined {
  if (typeof value !== 'string' || value.trim() === '') {
    list.add(field, `must name a ${kind}`, `write an entity ref such as "my-${kind}" or "${kind}:default/my-${kind}"`);
    return undefined;
  }
  try {
    const ref = parseEntityRef(value, { defaultKind: kind, defaultNamespace });
    if (ref.kind.toLowerCase() !== kind) {
      list.add(field, `${JSON.stringify(value)} is a ${ref.kind}, not a ${kind}`, `point it at a ${kind} entity`);
      return undefined;
    }
    return stringifyEntityRef(ref);
  } catch (e) {
    list.add(field, `${JSON.stringify(value)} is not an entity ref`, `write an entity ref such as "my-${kind}"`);
    return undefined;
  }
}

/** `operations: ["POST /decision/abort", ...]`: what an HTTP or gRPC endpoint serves, each an HTTP method and an exact path. */
function parseOperations(list: ProblemList, field: string, value: unknown, protocol: unknown): EndpointOperation[] | undefined {
  if (value === undefined) return undefined;
  if (protocol === 'TCP' || protocol === 'UDP') {
    list.add(field, `a ${protocol} endpoint has no methods or paths`, 'remove operations, or serve HTTP or GRPC');
    return undefined;
  }
  if (!Array.isArray(value) || value.length === 0) {
    list.add(field, 'must be a non-empty list', 'list operations such as ["GET /status", "POST /decision/abort"], or leave it out');
    return undefined;
  }
  const out: EndpointOperation[] = [];
  value.forEach((raw, j) => {
    const [method, path, ...rest] = typeof raw === 'string' ? raw.trim().split(/\s+/) : [];
    if (!method || !path || rest.length > 0) {
      list.add(`${field}[${j}]`, `${JSON.stringify(raw)} is not an operation`, 'write a method and an exact path, e.g. "POST /decision/abort"');
    } else if (!(HTTP_METHODS as readonly string[]).includes(method)) {
      list.add(`${field}[${j}]`, `${JSON.stringify(method)} is not an HTTP method`, `use one of ${HTTP_METHODS.join(', ')} (upper case)`);
    } else if (pathPatternError(path) || path.includes('*')) {
      list.add(`${field}[${j}]`, `${JSON.stringify(path)} is not an exact path`, 'write the path a request would use, starting with / and without *, ? or #');
    } else if (!out.some(o => o.method === method && o.path === path)) {
      out.push({ method, path });
    }
  });
  const key = (o: EndpointOperation) => `${o.path} ${o.method}`;
  return out.sort((a, b) => (key(a) < key(b) ? -1 : 1));
}

function parseEndpoints(list: ProblemList, value: unknown, rules: DeclarationRules, closed: Set<string>): EndpointSpec[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) {
    list.add('spec.endpoints', 'must be a list', 'write a list of {name, port, protocol, visibility}');
    return [];
  }
  const endpoints: EndpointSpec[] = [];
  value.forEach((raw, i) => {
    const field = `spec.endpoints[${i}]`;
    if (!isRecord(raw)) {
      list.add(field, 'must be an object', 'write {name, port, protocol, visibility}');
      return;
    }
    const before = list.problems.length;
    checkObjectKeys(list, field, raw, 'spec.endpoints[]');
    const { name, port, protocol, visibility, operations } = raw;
    if (typeof name !== 'string' || !isPortName(name)) {
      list.add(
        `${field}.name`,
        `${JSON.stringify(name)} is not a valid endpoint name`,
        'use lower-case letters, digits and "-", at most 15 characters, with a letter (it becomes a Service port name)',
      );
    }
    if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535) {
      list.add(`${field}.port`, `${JSON.stringify(port)} is not a port number`, 'use an integer from 1 to 65535');
    } else if (MESH_RESERVED_PORTS.includes(port)) {
      list.add(`${field}.port`, `port ${port} is reserved by the Istio ambient data plane`, `pick a port outside ${MESH_RESERVED_PORTS.join(', ')}`);
    }
    if (!(ENDPOINT_PROTOCOLS as readonly unknown[]).includes(protocol)) {
      list.add(`${field}.protocol`, `${JSON.stringify(protocol)} is not a protocol`, `use one of ${ENDPOINT_PROTOCOLS.join(', ')}`);
    }
    if (!(VISIBILITIES as readonly unknown[]).includes(visibility)) {
      list.add(`${field}.visibility`, `${JSON.stringify(visibility)} is not a visibility`, `use one of ${VISIBILITIES.join(', ')}`);
    } else if (visibility === 'public' && protocol !== 'HTTP') {
      list.add(
        `${field}.visibility`,
        `a public endpoint must be HTTP (the external gateway routes HTTP only), this one is ${JSON.stringify(protocol)}`,
        'make it organization-visible, or serve HTTP',
      );
    }
    if (endpoints.some(e => e.name === name)) {
      list.add(`${field}.name`, `endpoint name ${JSON.stringify(name)} is used twice`, 'give each endpoint its own name');
    }
    const transport = protocol === 'UDP' ? 'UDP' : 'TCP';
    if (endpoints.some(e => e.port === port && (e.protocol === 'UDP' ? 'UDP' : 'TCP') === transport)) {
      list.add(`${field}.port`, `port ${port}/${transport} is used by another endpoint`, 'give each endpoint its own port');
    }
    const served = parseOperations(list, `${field}.operations`, operations, protocol);
    const frontDoor = frontDoorFieldsProblem(list, field, raw, visibility)
      ? {}
      : {
          ...(raw.auth !== undefined ? { auth: parseEndpointAuth(list, `${field}.auth`, raw.auth) } : {}),
          ...(raw.rateLimit !== undefined ? { rateLimit: parseRateLimit(list, `${field}.rateLimit`, raw.rateLimit) } : {}),
        };
    // The platform's front-door rules close the endpoint to the gateway only: callers inside still name it.
    const shapeProblems = list.problems.length;
    if (shapeProblems === before && visibility === 'public') {
      checkFrontDoor(list, field, { name: name as string, ...frontDoor }, rules.frontDoor ?? frontDoorRules());
      if (list.problems.length > shapeProblems) closed.add(name as string);
    }
    if (shapeProblems === before) {
      endpoints.push({
        name: name as string,
        port: port as number,
        protocol: protocol as EndpointProtocol,
        visibility: visibility as Visibility,
        ...(served ? { operations: served } : {}),
        ...frontDoor,
      });
    }
  });
  return endpoints;
}

function parseConnections(list: ProblemList, value: unknown, ns: string, rules: DeclarationRules) {
  const out: NonNullable<ParsedCellEntity['component']>['connections'] = [];
  if (value === undefined) return out;
  if (!Array.isArray(value)) {
    list.add('spec.connections', 'must be a list', 'write a list of {to, endpoint, methods?, paths?}');
    return out;
  }
  value.forEach((raw, i) => {
    const field = `spec.connections[${i}]`;
    if (!isRecord(raw)) {
      list.add(field, 'must be an object', 'write {to, endpoint, methods?, paths?}');
      return;
    }
    const before = list.problems.length;
    checkObjectKeys(list, field, raw, 'spec.connections[]');
    const target = resolveRef(list, `${field}.to`, raw.to, 'component', ns);
    if (raw.endpoint !== undefined && (typeof raw.endpoint !== 'string' || raw.endpoint === '')) {
      list.add(`${field}.endpoint`, 'must be an endpoint name', "write the name of one of the target's endpoints");
    }
    const methods = checkMethods(list, `${field}.methods`, raw.methods);
    const paths = checkPaths(list, `${field}.paths`, raw.paths);
    const operations = checkOperationIds(list, field, raw.operations, methods !== undefined || paths !== undefined);
    const reason = checkReason(list, field, raw.reason, rules.requireReasons === true);
    if (list.problems.length === before && target) {
      out.push({
        field,
        target,
        spec: {
          to: raw.to as string,
          endpoint: raw.endpoint as string | undefined,
          methods,
          paths,
          ...(operations ? { operations } : {}),
          ...(reason ? { reason } : {}),
        },
      });
    }
  });
  return out;
}

/** `operations: [operationId, ...]` of a connection: operations of the OpenAPI API the target endpoint serves. */
function checkOperationIds(list: ProblemList, field: string, value: unknown, withMethodsOrPaths: boolean): string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.length === 0 || value.some(v => typeof v !== 'string' || v.trim() === '')) {
    list.add(`${field}.operations`, 'must be a non-empty list of operationIds', "list operationIds of the target's API, e.g. [getDashboard]");
    return undefined;
  }
  if (withMethodsOrPaths) {
    list.add(`${field}.operations`, 'names operations next to methods or paths', 'use either operations or methods/paths');
    return undefined;
  }
  return [...new Set(value as string[])].sort();
}

function parseAllowFrom(list: ProblemList, value: unknown, ns: string, rules: DeclarationRules) {
  const out: NonNullable<ParsedCellEntity['component']>['allowFrom'] = [];
  if (value === undefined) return out;
  if (!Array.isArray(value)) {
    list.add('spec.allowFrom', 'must be a list', 'write a list of {component | system, endpoint?, methods?, paths?}');
    return out;
  }
  value.forEach((raw, i) => {
    const field = `spec.allowFrom[${i}]`;
    if (!isRecord(raw)) {
      list.add(field, 'must be an object', 'write {component | system, endpoint?, methods?, paths?}');
      return;
    }
    const before = list.problems.length;
    checkObjectKeys(list, field, raw, 'spec.allowFrom[]');
    const hasComponent = raw.component !== undefined;
    const hasSystem = raw.system !== undefined;
    let source: string | undefined;
    if (hasComponent === hasSystem) {
      list.add(field, 'must name exactly one of `component` or `system`', 'grant one component (component: name) or every component of a cell (system: name)');
    } else {
      source = hasComponent
        ? resolveRef(list, `${field}.component`, raw.component, 'component', ns)
        : resolveRef(list, `${field}.system`, raw.system, 'system', ns);
    }
    if (raw.endpoint !== undefined && (typeof raw.endpoint !== 'string' || raw.endpoint === '')) {
      list.add(`${field}.endpoint`, 'must be an endpoint name', "write the name of one of this component's endpoints");
    }
    const methods = checkMethods(list, `${field}.methods`, raw.methods);
    const paths = checkPaths(list, `${field}.paths`, raw.paths);
    const reason = checkReason(list, field, raw.reason, rules.requireReasons === true);
    if (list.problems.length === before && source) {
      out.push({
        field,
        source,
        sourceKind: hasComponent ? 'component' : 'system',
        spec: {
          component: raw.component as string | undefined,
          system: raw.system as string | undefined,
          endpoint: raw.endpoint as string | undefined,
          methods,
          paths,
          ...(reason ? { reason } : {}),
        },
      });
    }
  });
  return out;
}

/** `spec.cell.members`: who else may join the cell; every entry names a catalog namespace, an owner, or both. */
function parseMembers(list: ProblemList, value: unknown, ns: string): CellMemberRule[] {
  if (value === undefined) return [];
  const fix = 'list entries such as {namespace: payments} or {owner: group:payments/team-a}';
  if (!Array.isArray(value)) {
    list.add('spec.cell.members', 'must be a list', fix);
    return [];
  }
  const out: CellMemberRule[] = [];
  value.forEach((raw, i) => {
    const field = `spec.cell.members[${i}]`;
    if (!isRecord(raw)) {
      list.add(field, 'must name a namespace, an owner, or both', fix);
      return;
    }
    const before = list.problems.length;
    // A misspelled key is named first: `{namspace: payments}` otherwise reads as an empty rule.
    const misspelled = checkObjectKeys(list, field, raw, 'spec.cell.members[]');
    if (!misspelled && raw.namespace === undefined && raw.owner === undefined) {
      list.add(field, 'must name a namespace, an owner, or both', fix);
      return;
    }
    if (raw.namespace !== undefined && (typeof raw.namespace !== 'string' || !DNS_LABEL.test(raw.namespace))) {
      list.add(`${field}.namespace`, `${JSON.stringify(raw.namespace)} is not a catalog namespace`, 'write a catalog namespace such as payments');
    }
    let owner: string | undefined;
    if (raw.owner !== undefined) {
      try {
        owner = typeof raw.owner === 'string' ? stringifyEntityRef(parseEntityRef(raw.owner, { defaultKind: 'group', defaultNamespace: ns })) : undefined;
      } catch {
        owner = undefined;
      }
      if (!owner) list.add(`${field}.owner`, `${JSON.stringify(raw.owner)} is not an entity ref`, 'write an owner ref such as group:payments/team-a');
    }
    if (list.problems.length === before) out.push({ ...(raw.namespace ? { namespace: raw.namespace as string } : {}), ...(owner ? { owner } : {}) });
  });
  return out;
}

/** `spec.cell.enforcement`: audit or enforce; anything else is refused (the cell is not compiled, so never half-enforced). */
function parseEnforcement(list: ProblemList, value: unknown): Enforcement | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'string' && (ENFORCEMENT_MODES as readonly string[]).includes(value)) return value as Enforcement;
  list.add(
    'spec.cell.enforcement',
    `${JSON.stringify(value)} is not an enforcement mode`,
    'write `enforcement: audit` to apply no denying policy while observing, or `enforcement: enforce` (the default)',
  );
  return undefined;
}

/**
 * The checks one entity can have on its own (no other entity needed).
 * Entities that are not cells or cell components come back with no problems,
 * unless a top-level spec key looks like a misspelling of Cellplane's.
 */
export function parseCellEntity(entity: Entity, rules: DeclarationRules = {}): ParsedCellEntity {
  const ref = entityRefOf(entity);
  const list = new ProblemList(ref);
  const ns = entity.metadata.namespace ?? 'default';
  const parsed: ParsedCellEntity = { ref, problems: list };
  checkSpecKeys(list, entity);
  if (!DNS_LABEL.test(entity.metadata.name) && (isCellSystem(entity) || isCellComponent(entity))) {
    list.add(
      'metadata.name',
      `${JSON.stringify(entity.metadata.name)} cannot name Kubernetes objects`,
      'use lower-case letters, digits and "-" (a DNS label, at most 63 characters)',
    );
  }
  if (isCellSystem(entity)) {
    const cell = (entity.spec as Record<string, unknown>).cell;
    if (cell !== null && cell !== undefined && !isRecord(cell)) {
      list.add('spec.cell', 'must be an object', 'write `cell: {}` or `cell: {environments: [development]}`');
      return parsed;
    }
    if (isRecord(cell)) checkObjectKeys(list, 'spec.cell', cell, 'spec.cell');
    const environments = isRecord(cell) ? cell.environments : undefined;
    if (environments !== undefined) {
      if (!Array.isArray(environments) || environments.length === 0) {
        list.add(
          'spec.cell.environments',
          'must be a non-empty list of environment names',
          'list environments from app-config `cells.environments`, or leave it out for the default',
        );
      } else {
        environments.forEach((env, i) => {
          if (typeof env !== 'string' || !DNS_LABEL.test(env)) {
            list.add(`spec.cell.environments[${i}]`, `${JSON.stringify(env)} is not an environment name`, 'use a DNS label such as development');
          }
        });
      }
    }
    const members = parseMembers(list, isRecord(cell) ? cell.members : undefined, ns);
    const egress = parseCeiling(list, isRecord(cell) ? cell.egress : undefined);
    const enforcement = parseEnforcement(list, isRecord(cell) ? cell.enforcement : undefined);
    parsed.cell = {
      environments: Array.isArray(environments) && list.problems.length === 0 ? [...new Set(environments as string[])] : undefined,
      members,
      ...(egress ? { egress } : {}),
      ...(enforcement ? { enforcement } : {}),
    };
  }
  if (isCellComponent(entity)) {
    const spec = entity.spec as Record<string, unknown>;
    const closedToGateway = new Set<string>();
    parsed.component = {
      endpoints: parseEndpoints(list, spec.endpoints, rules, closedToGateway),
      closedToGateway,
      connections: parseConnections(list, spec.connections, ns, rules),
      allowFrom: parseAllowFrom(list, spec.allowFrom, ns, rules),
      egress: parseEgress(list, spec.egress, rules),
      ...(spec.metrics !== undefined ? { metrics: parseMetrics(list, spec.metrics) } : {}),
    };
  }
  return parsed;
}
