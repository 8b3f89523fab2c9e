import { Entity, parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import { pathMatches } from '../net/httpPath';
import { ApiOperation, EndpointSpec } from '../model/types';
import { compareText } from '../order';
import { oncePerEntity } from './entity';
import { isRecord } from './fields';
import type { EntityLookup } from './membership';
import { parseOpenApi } from './openapi';

/** The annotation of an API entity that names the endpoint of its provider serving it (default: the provider's only HTTP endpoint). */
export const API_ENDPOINT_ANNOTATION = 'cellplane.io/endpoint';

/** The OpenAPI operations one endpoint serves, from the API entities its component provides. */
export interface ServedApi {
  /** The API entities, sorted. */
  refs: string[];
  /** Sorted by path, then method; empty when a document is invalid (the endpoint then admits nothing). */
  operations: ApiOperation[];
  /** False when a document the endpoint serves is invalid: every grant to it is dropped (its problem says why). */
  valid: boolean;
}

/** A problem on the component (or its declaration) the API entities cause. */
export interface ApiProblem {
  field: string;
  message: string;
  fix: string;
}

/** Finds the components that provide an API (full refs). */
export type ApiProviders = (apiRef: string) => string[];

const openApiOf = oncePerEntity(api => parseOpenApi(isRecord(api.spec) ? api.spec.definition : undefined));

function refOf(value: unknown, defaultKind: string, defaultNamespace: string): string | undefined {
  if (typeof value !== 'string' || value.trim() === '') return undefined;
  try {
    return stringifyEntityRef(parseEntityRef(value, { defaultKind, defaultNamespace }));
  } catch {
    return undefined;
  }
}

/** The refs of a list field (`providesApis`, `consumesApis`), with their index. */
export function apiRefsOf(entity: Entity, key: 'providesApis' | 'consumesApis'): { ref: string | undefined; index: number; raw: unknown }[] {
  const list = isRecord(entity.spec) ? entity.spec[key] : undefined;
  if (!Array.isArray(list)) return [];
  return list.map((raw, index) => ({ ref: refOf(raw, 'api', entity.metadata.namespace ?? 'default'), index, raw }));
}

function isOpenApi(api: Entity): boolean {
  return api.kind.toLowerCase() === 'api' && isRecord(api.spec) && api.spec.type === 'openapi';
}

/**
 * The endpoints of a component that serve OpenAPI APIs it provides
 * (`spec.providesApis` naming API entities with `spec.type: openapi`), and the
 * problems on the component: an API that is not in the catalog, a document
 * that is invalid (naming the API entity and the OpenAPI path), an endpoint
 * that cannot be told. APIs of other types are not read.
 */
export function servedApis(entity: Entity, endpoints: EndpointSpec[], lookup: EntityLookup): { byEndpoint: Map<string, ServedApi>; problems: ApiProblem[] } {
  const byEndpoint = new Map<string, ServedApi>();
  const problems: ApiProblem[] = [];
  const ids = new Map<string, string>();
  for (const { ref, index, raw } of apiRefsOf(entity, 'providesApis')) {
    const field = `spec.providesApis[${index}]`;
    if (!ref) {
      problems.push({ field, message: `${JSON.stringify(raw)} is not an entity ref`, fix: 'write an API ref such as "my-api" or "api:default/my-api"' });
      continue;
    }
    const api = lookup(ref);
    if (!api) {
      problems.push({ field, message: `${ref} is not in the catalog`, fix: 'register the API entity, or remove it from providesApis' });
      continue;
    }
    if (!isOpenApi(api)) continue;
    const named = api.metadata.annotations?.[API_ENDPOINT_ANNOTATION];
    const http = endpoints.filter(e => e.protocol === 'HTTP');
    let endpoint: EndpointSpec | undefined;
    if (named !== undefined) endpoint = endpoints.find(e => e.name === named);
    else if (http.length === 1) endpoint = http[0];
    if (!endpoint || endpoint.protocol !== 'HTTP') {
      const which =
        named !== undefined
          ? `names endpoint ${JSON.stringify(named)} (${API_ENDPOINT_ANNOTATION}), which is not an HTTP endpoint of it`
          : `cannot tell which of its ${http.length} HTTP endpoints serves it`;
      problems.push({
        field,
        message: `${ref} ${which}`,
        fix: `annotate the API with ${API_ENDPOINT_ANNOTATION}: <endpoint> naming one of: ${
          http.map(e => e.name).join(', ') || '(none: declare an HTTP endpoint)'
        }`,
      });
      continue;
    }
    const served = byEndpoint.get(endpoint.name) ?? { refs: [], operations: [], valid: true };
    byEndpoint.set(endpoint.name, served);
    served.refs = [...served.refs, ref].sort(compareText);
    const document = openApiOf(api);
    for (const p of document.problems) {
      problems.push({ field, message: `${ref} spec.definition ${p.at}: ${p.message}`, fix: `${p.fix} in the API entity ${ref}` });
    }
    const clash = document.operations.find(o => o.operationId && ids.has(o.operationId) && ids.get(o.operationId) !== ref);
    if (clash) {
      problems.push({
        field,
        message: `${ref} and ${ids.get(clash.operationId!)} both name an operation ${JSON.stringify(clash.operationId)} on endpoint ${endpoint.name}`,
        fix: 'give every operation of one endpoint its own operationId',
      });
    }
    document.operations.forEach(o => o.operationId && ids.set(o.operationId, ref));
    if (document.problems.length > 0 || clash) served.valid = false;
    served.operations = served.valid
      ? [...served.operations, ...document.operations].sort((a, b) => compareText(a.path, b.path) || compareText(a.method, b.method))
      : [];
  }
  return { byEndpoint, problems };
}

/** The providers an API entity's own relations name (a stitched entity from the catalog carries `apiProvidedBy`). */
export function providersFromRelations(lookup: EntityLookup): ApiProviders {
  return apiRef =>
    (lookup(apiRef)?.relations ?? [])
      .filter(r => r.type === 'apiProvidedBy')
      .map(r => r.targetRef)
      .sort(compareText);
}

/** The providers of each API among a set of entities (what the CLI and the backend hold whole). */
export function providersIndex(entities: Iterable<Entity>): ApiProviders {
  const index = new Map<string, string[]>();
  for (const entity of entities) {
    if (entity.kind.toLowerCase() !== 'component') continue;
    for (const { ref } of apiRefsOf(entity, 'providesApis')) {
      if (ref) index.set(ref, [...(index.get(ref) ?? []), stringifyEntityRef(entity)]);
    }
  }
  return apiRef => [...new Set(index.get(apiRef) ?? [])].sort(compareText);
}

/** Does an Istio path pattern admit every request path the operation's `match` admits? */
function patternCovers(pattern: string, match: string): boolean {
  if (pattern === match) return true;
  if (pattern.endsWith('*')) {
    const prefix = pattern.slice(0, -1);
    return match.startsWith(prefix) && !/[{}]/.test(prefix);
  }
  if (pattern.startsWith('*')) {
    const suffix = pattern.slice(1);
    return match.endsWith(suffix) && !/[{}*]/.test(match.slice(match.length - suffix.length - 1));
  }
  return false;
}

/** What a grant's path pattern keeps of an operation: all of it when the pattern covers it, else an exact path it matches. */
function keptPath(pattern: string, match: string): string[] {
  if (patternCovers(pattern, match)) return [match];
  return !pattern.includes('*') && pathMatches(match, pattern) ? [pattern] : [];
}

/** What a grant (methods and paths, absent meaning all) leaves of the served operations: per path, its methods. */
export function servedWithin(operations: ApiOperation[], methods?: string[], paths?: string[]): { path: string; methods: string[] }[] {
  const byPath = new Map<string, Set<string>>();
  for (const op of operations) {
    if (methods && !methods.includes(op.method)) continue;
    const kept = paths ? paths.flatMap(p => keptPath(p, op.match)) : [op.match];
    for (const path of kept) byPath.set(path, (byPath.get(path) ?? new Set()).add(op.method));
  }
  return [...byPath.entries()].sort(([a], [b]) => compareText(a, b)).map(([path, m]) => ({ path, methods: [...m].sort(compareText) }));
}

/** `METHOD path` of each operation, with its operationId, for messages. */
export function describeOperations(operations: ApiOperation[]): string {
  return operations.map(o => `${o.method} ${o.path}${o.operationId ? ` (${o.operationId})` : ''}`).join(', ');
}
