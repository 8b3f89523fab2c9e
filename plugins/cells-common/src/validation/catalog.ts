import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { CallGrant, Cell, CellComponent, CellModel, CellProblem, EndpointSpec } from '../model/types';
import { CellsSettings, DEFAULT_SETTINGS } from '../settings/settings';
import { ParsedCellEntity, isCellSystem, oncePerEntity, parseCellEntity } from './entity';
import { ProblemList } from './fields';
import { EntityLookup, cellOfComponent, membershipOf, ownerRefOf, refusedMembershipProblem, reservedComponentNames, reservedNameProblem } from './membership';
import { checkOwner, ownerSubjectOf } from './owner';
import { compareText } from '../order';
import { DeclarationRules } from './reason';
import { checkEgress, EgressPlatformRules, egressPlatformRules } from './egress';
import { checkSharedHosts } from './egressHosts';
import { checkMetrics } from './platform';
import { frontDoorRules } from './frontDoor';
import { ApiProviders, providersFromRelations, providersIndex, servedApis } from './apis';
import { consumedApiDeclarations, narrowToServed } from './apiGrants';

export type { EntityLookup } from './membership';
export { cellOfComponent } from './membership';

/** A grant before cell-wide callers are expanded to their components. */
export interface Declaration extends Omit<CallGrant, 'caller'> {
  caller: { kind: 'component' | 'system'; ref: string } | { kind: 'gateway' };
}

// Targets are looked up once per connection; parse each entity's endpoints once.
const endpointsOf = oncePerEntity((entity): EndpointSpec[] => parseCellEntity(entity).component?.endpoints ?? []);

function pickEndpoint(list: ProblemList, field: string, endpoints: EndpointSpec[], name: string | undefined, owner: string): EndpointSpec | undefined {
  if (name === undefined) {
    if (endpoints.length === 1) return endpoints[0];
    list.add(
      `${field}.endpoint`,
      endpoints.length === 0 ? `${owner} serves no endpoint` : `${owner} serves ${endpoints.length} endpoints and none is named`,
      endpoints.length === 0 ? `declare an endpoint on ${owner}` : `name one of: ${endpoints.map(e => e.name).join(', ')}`,
    );
    return undefined;
  }
  const endpoint = endpoints.find(e => e.name === name);
  if (!endpoint) {
    list.add(
      `${field}.endpoint`,
      `${owner} has no endpoint ${JSON.stringify(name)}`,
      endpoints.length ? `name one of: ${endpoints.map(e => e.name).join(', ')}` : `declare the endpoint on ${owner}`,
    );
  }
  return endpoint;
}

/**
 * Whether an endpoint's visibility lets a caller in `callerCell` call it in
 * `calleeCell` (cell entity refs). The catalog's check, exported so pickers
 * offer only what the catalog would accept.
 */
export function visibilityAdmits(endpoint: Pick<EndpointSpec, 'visibility'>, callerCell: string, calleeCell: string): boolean {
  return endpoint.visibility !== 'project' || callerCell === calleeCell;
}

function checkL7Fields(list: ProblemList, field: string, endpoint: EndpointSpec, methods?: string[], paths?: string[]): boolean {
  if ((methods || paths) && endpoint.protocol !== 'HTTP' && endpoint.protocol !== 'GRPC') {
    list.add(
      field,
      `methods/paths cannot be enforced on ${endpoint.protocol} endpoint ${JSON.stringify(endpoint.name)}`,
      'leave methods and paths out for TCP/UDP endpoints',
    );
    return false;
  }
  return true;
}

/**
 * The checks that need other entities: targets exist, are in a cell, serve the
 * endpoint, and the endpoint's visibility admits the caller. Returns only the
 * declarations that passed; a failed one never becomes a rule.
 */
export function checkDeclarations(
  entity: Entity,
  parsed: ParsedCellEntity,
  lookup: EntityLookup,
  providers: ApiProviders = providersFromRelations(lookup),
): Declaration[] {
  const list = parsed.problems;
  const component = parsed.component;
  if (entity.kind.toLowerCase() !== 'component') return [];
  const membership = membershipOf(entity, lookup);
  if (membership.status === 'refused') {
    const { field, message, fix } = refusedMembershipProblem(entity, membership);
    list.add(field, message, fix);
    return [];
  }
  const ownCell = membership.status === 'member' ? membership.cell : undefined;
  // A member that declares nothing of Cellplane's may still call through `consumesApis`.
  const consumed = ownCell ? consumedApiDeclarations(list, entity, parsed.ref, ownCell, lookup, providers, endpointsOf, visibilityAdmits) : [];
  if (!component) return consumed;
  if (!ownCell) {
    list.add('spec.system', 'a component with endpoints, connections or allowFrom must belong to a cell', 'set spec.system to a System that has spec.cell');
    return [];
  }
  const own = servedApis(entity, component.endpoints, lookup);
  own.problems.forEach(p => list.add(p.field, p.message, p.fix));
  component.endpoints.forEach((endpoint, i) => {
    const api = own.byEndpoint.get(endpoint.name);
    if (api && endpoint.operations) {
      list.add(
        `spec.endpoints[${i}].operations`,
        `endpoint ${endpoint.name} serves the operations of ${api.refs.join(', ')}`,
        'remove operations: the API says what the endpoint serves',
      );
    }
  });
  const declarations: Declaration[] = [...consumed];
  for (const { spec, field, target } of component.connections) {
    const targetEntity = lookup(target);
    if (!targetEntity) {
      list.add(`${field}.to`, `${target} is not in the catalog`, 'point it at an existing component, or register that component');
      continue;
    }
    const targetCell = cellOfComponent(targetEntity, lookup);
    if (!targetCell) {
      list.add(`${field}.to`, `${target} is not part of any cell`, 'give the target a spec.system that is a cell');
      continue;
    }
    const endpoint = pickEndpoint(list, field, endpointsOf(targetEntity), spec.endpoint, target);
    if (!endpoint) continue;
    if (!visibilityAdmits(endpoint, ownCell, targetCell)) {
      list.add(
        `${field}.to`,
        `endpoint ${endpoint.name} of ${target} is visible only inside ${targetCell}; ${parsed.ref} is in ${ownCell}`,
        `ask the owners of ${target} to make the endpoint organization-visible, or remove the connection`,
      );
      continue;
    }
    if (!checkL7Fields(list, field, endpoint, spec.methods, spec.paths)) continue;
    const served = servedApis(targetEntity, endpointsOf(targetEntity), lookup).byEndpoint.get(endpoint.name);
    const declaration: Declaration = {
      caller: { kind: 'component', ref: parsed.ref },
      callee: target,
      endpoint: endpoint.name,
      methods: spec.methods,
      paths: spec.paths,
      declaredBy: parsed.ref,
      field,
      ...(spec.reason ? { reason: spec.reason } : {}),
    };
    declarations.push(...narrowToServed(list, declaration, served, spec.operations));
  }
  for (const { spec, field, source, sourceKind } of component.allowFrom) {
    const endpoint = pickEndpoint(list, field, component.endpoints, spec.endpoint, parsed.ref);
    if (!endpoint) continue;
    const sourceEntity = lookup(source);
    if (!sourceEntity) {
      list.add(`${field}.${sourceKind}`, `${source} is not in the catalog`, `name an existing ${sourceKind}`);
      continue;
    }
    let sourceCell: string | undefined;
    if (sourceKind === 'component') sourceCell = cellOfComponent(sourceEntity, lookup);
    else if (isCellSystem(sourceEntity)) sourceCell = source;
    if (!sourceCell) {
      list.add(
        `${field}.${sourceKind}`,
        `${source} is not ${sourceKind === 'system' ? 'a cell' : 'part of any cell'}`,
        sourceKind === 'system' ? 'add spec.cell to that System, or grant a cell' : 'name a component of a cell',
      );
      continue;
    }
    if (!visibilityAdmits(endpoint, sourceCell, ownCell)) {
      list.add(
        `${field}.${sourceKind}`,
        `endpoint ${endpoint.name} is visible only inside ${ownCell}, and ${source} is in ${sourceCell}`,
        'make the endpoint organization-visible, or remove the grant',
      );
      continue;
    }
    if (!checkL7Fields(list, field, endpoint, spec.methods, spec.paths)) continue;
    const declaration: Declaration = {
      caller: { kind: sourceKind, ref: source },
      callee: parsed.ref,
      endpoint: endpoint.name,
      methods: spec.methods,
      paths: spec.paths,
      declaredBy: parsed.ref,
      field,
      ...(spec.reason ? { reason: spec.reason } : {}),
    };
    declarations.push(...narrowToServed(list, declaration, own.byEndpoint.get(endpoint.name)));
  }
  component.endpoints.forEach((endpoint, i) => {
    if (endpoint.visibility === 'public' && !component.closedToGateway.has(endpoint.name)) {
      const declaration: Declaration = {
        caller: { kind: 'gateway' },
        callee: parsed.ref,
        endpoint: endpoint.name,
        declaredBy: parsed.ref,
        field: `spec.endpoints[${i}].visibility`,
      };
      declarations.push(...narrowToServed(list, declaration, own.byEndpoint.get(endpoint.name)));
    }
  });
  return declarations;
}

/** Shape checks of one entity (what the catalog processor runs on every entity). */
export function validateCellEntity(entity: Entity, rules: DeclarationRules = {}): CellProblem[] {
  return parseCellEntity(entity, rules).problems.problems;
}

/**
 * Checks of one entity against others, e.g. through the catalog API: its
 * declarations, whether its cell admits it, its name, and a cell's owner.
 */
export function validateConnectionTargets(entity: Entity, lookup: EntityLookup, options: EntityCheckOptions & DeclarationRules = {}): CellProblem[] {
  const parsed = parseCellEntity(entity, { requireReasons: options.requireReasons, frontDoor: options.frontDoor });
  const shapeProblems = parsed.problems.problems.length;
  checkDeclarations(entity, parsed, lookup);
  const membership = membershipOf(entity, lookup);
  if (parsed.component?.egress.length && membership.status === 'member') {
    const cellEntity = lookup(membership.cell);
    const ceiling = cellEntity ? parseCellEntity(cellEntity).cell?.egress : undefined;
    checkEgress(parsed.problems, parsed.component.egress, membership.cell, ceiling, options.egress ?? egressPlatformRules());
  }
  if (parsed.component?.metrics && membership.status === 'member') {
    checkMetrics(parsed.problems, parsed.component.metrics, parsed.component.endpoints, (options.egress ?? egressPlatformRules()).services ?? []);
  }
  return [...parsed.problems.problems.slice(shapeProblems), ...checkMembersAndOwner(entity, lookup, options)];
}

/** What the checks of one entity need from the platform settings; see {@link modelOptions}. */
export interface EntityCheckOptions {
  /**
   * Which owners may become RBAC subjects (cells.rbac.subjects); false when RBAC
   * is off and owners are bound to nothing. Default: the default settings'.
   */
  ownerSubjects?: readonly string[] | false;
  /** Names a cell component may not have (its objects would meet the cell's own). Default: the default settings'. */
  reservedComponentNames?: readonly string[];
  /** What egress the platform can enforce and never allows. Default: the default settings'. */
  egress?: EgressPlatformRules;
}

/** A member's reserved name and a cell's owner: the checks that depend on settings. */
export function checkMembersAndOwner(entity: Entity, lookup: EntityLookup, options: EntityCheckOptions = {}): CellProblem[] {
  const reserved = options.reservedComponentNames ?? reservedComponentNames(DEFAULT_SETTINGS);
  const named = membershipOf(entity, lookup).status === 'member' ? reservedNameProblem(entity, reserved) : undefined;
  return [...(named ? [named] : []), ...checkOwner(entity, lookup, options.ownerSubjects ?? DEFAULT_SETTINGS.rbac.subjects)];
}

/** One line a person can act on. */
export function formatProblem(problem: CellProblem): string {
  return `${problem.entityRef}: ${problem.field}: ${problem.message}. Fix: ${problem.fix}.`;
}

export interface BuildModelOptions extends DeclarationRules, EntityCheckOptions {
  /** Environments of a cell that lists none. */
  defaultEnvironments: string[];
  /** Environments the platform knows; a cell naming another is an error. */
  knownEnvironments?: string[];
}

/**
 * The model options the platform settings imply: every adapter builds its model
 * with these. `cells.compliance.requireReasons` is not among them: the catalog
 * and the CLI add it, the cells backend deliberately does not re-check it
 * (docs/cell-format.md, Justifications).
 */
export function modelOptions(settings: CellsSettings): BuildModelOptions {
  return {
    defaultEnvironments: settings.defaultEnvironments,
    knownEnvironments: settings.environments.map(e => e.name),
    ownerSubjects: settings.rbac.enabled ? settings.rbac.subjects : false,
    reservedComponentNames: reservedComponentNames(settings),
    egress: egressPlatformRules(settings),
    frontDoor: frontDoorRules(settings),
  };
}

/** Endpoints that serve OpenAPI APIs carry them, and an example of each operation for the presets and probes. */
function withServedApis(entity: Entity, endpoints: EndpointSpec[], lookup: EntityLookup): EndpointSpec[] {
  const { byEndpoint } = servedApis(entity, endpoints, lookup);
  if (byEndpoint.size === 0) return endpoints;
  return endpoints.map(endpoint => {
    const api = byEndpoint.get(endpoint.name);
    if (!api) return endpoint;
    const examples = new Map(api.operations.map(o => [`${o.method} ${o.example}`, { method: o.method, path: o.example }]));
    const { operations: _declared, ...rest } = endpoint;
    return {
      ...rest,
      ...(examples.size ? { operations: [...examples.values()].sort((a, b) => compareText(a.path, b.path) || compareText(a.method, b.method)) } : {}),
      api: { refs: api.refs, operations: api.operations },
    };
  });
}

const byRef = <T extends { ref: string }>(a: T, b: T) => compareText(a.ref, b.ref);

/**
 * Resolves a whole catalog into cells, components and grants. Every problem is
 * reported; what is invalid is left out, so the model can only be narrower than
 * the catalog, never wider.
 */
export function buildCellModel(entities: Entity[], options: BuildModelOptions): { model: CellModel; problems: CellProblem[] } {
  const index = new Map<string, Entity>();
  const problems: CellProblem[] = [];
  for (const entity of entities) {
    const ref = stringifyEntityRef(entity);
    if (index.has(ref)) {
      problems.push({ entityRef: ref, field: 'metadata.name', message: 'the entity is defined twice', fix: 'keep one definition' });
      continue;
    }
    index.set(ref, entity);
  }
  const lookup: EntityLookup = ref => index.get(ref);
  const providers = providersIndex(index.values());

  const cells = new Map<string, Cell>();
  const components: CellComponent[] = [];
  const declarations: Declaration[] = [];
  const parsedByRef = new Map<string, ParsedCellEntity>();
  const subjects = options.ownerSubjects ?? DEFAULT_SETTINGS.rbac.subjects;
  const reserved = options.reservedComponentNames ?? reservedComponentNames(DEFAULT_SETTINGS);
  // An owner that cannot be bound costs the cell its RoleBinding, nothing else: these hold nothing back.
  const ownerProblems: CellProblem[] = [];
  for (const [ref, entity] of index) {
    const parsed = parseCellEntity(entity, { requireReasons: options.requireReasons, frontDoor: options.frontDoor });
    parsedByRef.set(ref, parsed);
    if (parsed.cell && parsed.problems.problems.length === 0) {
      const environments = parsed.cell.environments ?? options.defaultEnvironments;
      const unknown = environments.filter(e => options.knownEnvironments && !options.knownEnvironments.includes(e));
      unknown.forEach(env =>
        parsed.problems.add(
          'spec.cell.environments',
          `environment ${JSON.stringify(env)} is not configured`,
          `add it to app-config cells.environments, or use one of: ${(options.knownEnvironments ?? []).join(', ')}`,
        ),
      );
      if (unknown.length === 0) {
        const owner = subjects === false ? undefined : ownerSubjectOf(entity, lookup, subjects);
        if (owner && 'problem' in owner) ownerProblems.push(owner.problem);
        cells.set(ref, {
          ref,
          name: entity.metadata.name,
          entityNamespace: entity.metadata.namespace ?? 'default',
          owner: ownerRefOf(entity),
          ...(owner && 'subject' in owner ? { subject: owner.subject } : {}),
          environments: [...environments].sort(),
          components: [],
          ...(parsed.cell.egress ? { egress: parsed.cell.egress } : {}),
          ...(parsed.cell.enforcement ? { enforcement: parsed.cell.enforcement } : {}),
        });
      }
    }
    declarations.push(...checkDeclarations(entity, parsed, lookup, providers));
    problems.push(...parsed.problems.problems);
  }
  const namesInCell = new Set<string>();
  for (const [ref, entity] of index) {
    if (entity.kind.toLowerCase() !== 'component') continue;
    const cellRef = cellOfComponent(entity, lookup);
    const cell = cellRef && cells.get(cellRef);
    if (!cell) continue;
    const parsed = parsedByRef.get(ref)!;
    const nameKey = `${cell.ref}|${entity.metadata.name}`;
    if (namesInCell.has(nameKey)) {
      problems.push({
        entityRef: ref,
        field: 'metadata.name',
        message: `another component of ${cell.ref} has the name ${entity.metadata.name}`,
        fix: 'give components of one cell distinct names',
      });
      continue;
    }
    if (parsed.problems.problems.some(p => p.field.startsWith('metadata.name'))) continue;
    const reservedName = reservedNameProblem(entity, reserved);
    if (reservedName) {
      problems.push(reservedName);
      continue;
    }
    namesInCell.add(nameKey);
    const egressList = new ProblemList(ref);
    const egress = checkEgress(egressList, parsed.component?.egress ?? [], cell.ref, cell.egress, options.egress ?? egressPlatformRules());
    const metricsSpec = parsed.component?.metrics;
    const metrics = metricsSpec && checkMetrics(egressList, metricsSpec, parsed.component!.endpoints, (options.egress ?? egressPlatformRules()).services ?? []);
    problems.push(...egressList.problems);
    components.push({
      ref,
      name: entity.metadata.name,
      cell: cell.ref,
      owner: ownerRefOf(entity),
      endpoints: withServedApis(entity, parsed.component?.endpoints ?? [], lookup),
      ...(egress.length ? { egress } : {}),
      ...(metrics ? { metrics } : {}),
    });
    cell.components.push(ref);
  }
  components.sort(byRef);
  problems.push(...checkSharedHosts(components));
  const known = new Set(components.map(c => c.ref));
  const grants: CallGrant[] = [];
  for (const d of declarations) {
    if (!known.has(d.callee)) continue;
    let callers: CallGrant['caller'][] = [];
    if (d.caller.kind === 'gateway') callers = [{ kind: 'gateway' }];
    else if (d.caller.kind === 'system') callers = (cells.get(d.caller.ref)?.components ?? []).map(ref => ({ kind: 'component', ref }));
    else if (known.has(d.caller.ref)) callers = [{ kind: 'component', ref: d.caller.ref }];
    for (const caller of callers) grants.push({ ...d, caller });
  }
  // Each grant's sort key is built once, not in every comparison (30,000 grants at 10,000 components).
  const keyed = grants.map(g => ({ g, key: grantKey(g) })).sort((a, b) => compareText(a.key, b.key));
  keyed.forEach(({ g }, i) => (grants[i] = g));
  const cellList = [...cells.values()].sort(byRef);
  cellList.forEach(c => c.components.sort());
  // A problem holds back the entity's own cell: a cell System's, or the cell that admitted the component.
  const holdsOf = (ref: string): string | undefined => {
    const entity = index.get(ref);
    if (!entity) return undefined;
    return isCellSystem(entity) ? ref : cellOfComponent(entity, lookup);
  };
  const all = [
    ...problems.map(p => {
      const holds = holdsOf(p.entityRef);
      return holds ? { ...p, holds } : p;
    }),
    ...ownerProblems,
  ];
  return {
    model: { cells: cellList, components: components.sort(byRef), grants },
    problems: all.sort((a, b) => compareText(a.entityRef, b.entityRef) || compareText(a.field, b.field)),
  };
}

export function callerKey(caller: CallGrant['caller']): string {
  return caller.kind === 'gateway' ? 'gateway' : caller.ref;
}

function grantKey(g: CallGrant): string {
  return [g.callee, g.endpoint, callerKey(g.caller), (g.methods ?? []).join(','), (g.paths ?? []).join(','), g.declaredBy, g.field].join('|');
}
