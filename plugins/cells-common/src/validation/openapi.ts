import { parseDocument } from 'yaml';
import { pathTemplateProblem } from '../net/httpPath';
import { ApiOperation } from '../model/types';
import { compareText } from '../order';
import { isRecord, pathPatternError } from './fields';

/** A problem in the document: where (an OpenAPI path such as `paths["/a"].get.operationId`), what, and the fix. */
export interface OpenApiProblem {
  at: string;
  message: string;
  fix: string;
}

/** The HTTP methods an OpenAPI 3.x path item names operations by. */
const OPENAPI_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;
const PARAMETER = /\{([^{}/]+)\}/g;
const WHOLE_PARAMETER = /^\{[^{}/]+\}$/;

/** The path part of a `servers[].url`: absolute (`https://host/v1`) or relative (`/v1`). */
function serverPath(url: string): string {
  const withoutOrigin = url.replace(/^[a-zA-Z][a-zA-Z0-9+.-]*:\/\/[^/]*/, '');
  const path = withoutOrigin.split(/[?#]/)[0];
  return path.replace(/\/+$/, '');
}

/** The Istio `paths` value for an OpenAPI path template, and an example request path. */
export function istioPathFor(template: string): { match: string; example: string } {
  const segments = template.split('/');
  const example = template.replace(PARAMETER, (_, name: string) => encodeURIComponent(name));
  if (!template.includes('{')) return { match: template, example };
  const templated = segments.map(s => (WHOLE_PARAMETER.test(s) ? '{*}' : s)).join('/');
  const mixed = segments.findIndex(s => s.includes('{') && !WHOLE_PARAMETER.test(s));
  if (mixed === -1 && !pathTemplateProblem(templated)) return { match: templated, example };
  // A parameter inside a segment (`/files/{name}.json`): Istio templates whole segments only,
  // so everything below the last literal segment before it is admitted (documented).
  const cut = mixed === -1 ? segments.findIndex(s => s.includes('{')) : mixed;
  const literal = segments.slice(0, cut).filter(s => !s.includes('{'));
  return { match: `${literal.join('/')}/*`, example };
}

/**
 * The operations of an OpenAPI 3.x document (`spec.definition` of an API
 * entity, YAML or JSON). Pure: no references are fetched, so a path item that
 * is a `$ref` is refused rather than guessed. A single base path shared by
 * every `servers[].url` is prepended to every path.
 */
export function parseOpenApi(definition: unknown): { operations: ApiOperation[]; problems: OpenApiProblem[] } {
  const problems: OpenApiProblem[] = [];
  const fail = (at: string, message: string, fix: string) => {
    problems.push({ at, message, fix });
    return { operations: [], problems };
  };
  if (typeof definition !== 'string' || definition.trim() === '') {
    return fail('spec.definition', 'is not an OpenAPI document', 'put the OpenAPI 3 document (YAML or JSON) in spec.definition, e.g. with $text');
  }
  const document = parseDocument(definition, { uniqueKeys: true, prettyErrors: false });
  if (document.errors.length > 0) {
    return fail('spec.definition', `is not YAML or JSON: ${document.errors[0].message.split('\n')[0]}`, 'fix the document so that it parses');
  }
  const root: unknown = document.toJS({ maxAliasCount: 100 });
  if (!isRecord(root)) return fail('spec.definition', 'is not an object', 'write an OpenAPI 3 document');
  if (typeof root.openapi !== 'string' || !/^3\.\d+/.test(root.openapi)) {
    return fail(
      'openapi',
      `${JSON.stringify(root.openapi ?? root.swagger ?? null)} is not an OpenAPI 3 version`,
      'write openapi: 3.0.3 or 3.1.0 (Swagger 2 is not read)',
    );
  }
  let base = '';
  if (root.servers !== undefined) {
    const urls = Array.isArray(root.servers) ? root.servers.map(s => (isRecord(s) ? s.url : undefined)) : [];
    if (urls.length === 0 || urls.some(u => typeof u !== 'string')) {
      return fail('servers', 'is not a list of {url}', 'list servers as [{url: https://host/base}], or leave servers out');
    }
    const bases = [...new Set((urls as string[]).map(serverPath))];
    if (bases.length > 1)
      return fail('servers', `name different base paths (${bases.join(', ')})`, 'serve one base path on the endpoint, or leave servers out');
    if (/[{}]/.test(bases[0])) return fail('servers[0].url', 'has a variable in its path', 'write the base path out');
    base = bases[0];
  }
  if (!isRecord(root.paths) || Object.keys(root.paths).length === 0) {
    return fail('paths', 'declares no operation', 'describe the operations the endpoint serves under paths');
  }
  const operations: ApiOperation[] = [];
  const ids = new Map<string, string>();
  for (const [path, item] of Object.entries(root.paths)) {
    const at = `paths[${JSON.stringify(path)}]`;
    const full = `${base}${path}`;
    const shape = path.startsWith('/') ? pathPatternError(full.replace(PARAMETER, 'x')) : 'does not start with /';
    if (shape || full.includes('*')) {
      problems.push({
        at,
        message: `${JSON.stringify(path)} is not a path template (${shape ?? 'a "*" is not a path'})`,
        fix: 'write a path such as /missions/{missionId}',
      });
      continue;
    }
    if (!isRecord(item)) {
      problems.push({ at, message: 'is not a path item object', fix: 'write the operations of the path, e.g. get: {operationId: ...}' });
      continue;
    }
    if (item.$ref !== undefined) {
      problems.push({ at: `${at}.$ref`, message: 'a referenced path item is not read', fix: 'write the path item into the document' });
      continue;
    }
    for (const method of OPENAPI_METHODS) {
      const operation = item[method];
      if (operation === undefined) continue;
      const opAt = `${at}.${method}`;
      if (!isRecord(operation)) {
        problems.push({ at: opAt, message: 'is not an operation object', fix: 'write {operationId, responses}' });
        continue;
      }
      const id = operation.operationId;
      if (id !== undefined && (typeof id !== 'string' || id.trim() === '')) {
        problems.push({ at: `${opAt}.operationId`, message: 'is not a name', fix: 'write a name such as abortMission' });
        continue;
      }
      if (typeof id === 'string' && ids.has(id)) {
        problems.push({
          at: `${opAt}.operationId`,
          message: `${JSON.stringify(id)} is also the operationId of ${ids.get(id)}`,
          fix: 'give every operation its own operationId',
        });
        continue;
      }
      if (typeof id === 'string') ids.set(id, opAt);
      operations.push({ method: method.toUpperCase(), path: full, ...istioPathFor(full), ...(typeof id === 'string' ? { operationId: id } : {}) });
    }
  }
  if (problems.length === 0 && operations.length === 0) {
    return fail('paths', 'declares no operation', 'describe the operations the endpoint serves under paths');
  }
  operations.sort((a, b) => compareText(a.path, b.path) || compareText(a.method, b.method));
  return { operations, problems };
}
