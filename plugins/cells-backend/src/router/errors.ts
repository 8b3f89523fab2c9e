import express from 'express';
import { InputError } from '@backstage/errors';

type Schema = {
  $ref?: string;
  description?: string;
  properties?: Record<string, Schema>;
  items?: Schema;
  oneOf?: Schema[];
  anyOf?: Schema[];
  allOf?: Schema[];
};
type Spec = { components?: { schemas?: Record<string, unknown>; parameters?: Record<string, unknown> } };

/** One complaint of the request validator: where (`body`, `query`, `params`), the path below it, and what ajv said. */
interface Complaint {
  location: string;
  path: string[];
  text: string;
}

/**
 * The validator (express-openapi-validator behind Backstage's OpenAPI router)
 * words its errors as ajv's errorsText: `request/body/from/rogue must be
 * string, request/query must have required property 'environment'`, and
 * Backstage passes on only that text. Each complaint becomes `field: why`
 * with the field written as the caller wrote it (`entities[0].kind`).
 */
export function parseComplaints(message: string): Complaint[] | undefined {
  const parts = message.split(/, (?=request\/)/);
  const complaints: Complaint[] = [];
  for (const part of parts) {
    const match = /^request\/(body|query|params|headers)((?:\/\S*)?) (.+)$/s.exec(part);
    if (!match) return undefined;
    complaints.push({ location: match[1], path: match[2].split('/').filter(Boolean), text: match[3] });
  }
  return complaints;
}

export function fieldName(path: string[]): string {
  return path
    .map((segment, i) => {
      if (/^\d+$/.test(segment)) return `[${segment}]`;
      return i === 0 ? segment : `.${segment}`;
    })
    .join('');
}

function resolve(spec: Spec, schema: Schema | undefined): Schema | undefined {
  let current = schema;
  for (let hops = 0; current?.$ref && hops < 20; hops++) {
    const name = current.$ref.replace('#/components/schemas/', '');
    current = spec.components?.schemas?.[name] as Schema | undefined;
  }
  return current;
}

/** The schemas a value at `path` may be checked against (every branch of a oneOf). */
function schemasAt(spec: Spec, root: Schema | undefined, path: string[]): Schema[] {
  let current = [resolve(spec, root)].filter((s): s is Schema => !!s);
  const branches = (s: Schema): Schema[] => {
    const all = [...(s.oneOf ?? []), ...(s.anyOf ?? []), ...(s.allOf ?? [])].map(b => resolve(spec, b)).filter((b): b is Schema => !!b);
    return [s, ...all.flatMap(branches)];
  };
  for (const segment of path) {
    current = current
      .flatMap(branches)
      .map(s => resolve(spec, /^\d+$/.test(segment) ? s.items : s.properties?.[segment]))
      .filter((s): s is Schema => !!s);
  }
  return current.flatMap(branches);
}

function valueAt(value: unknown, path: string[]): unknown {
  return path.reduce<unknown>((v, segment) => (v && typeof v === 'object' ? (v as Record<string, unknown>)[segment] : undefined), value);
}

/** The operation's schema for a request location, from express-openapi-validator's `req.openapi`. */
function rootSchema(spec: Spec, req: express.Request, location: string): Schema | undefined {
  const operation = (req as { openapi?: { schema?: any } }).openapi?.schema;
  if (!operation) return undefined;
  if (location === 'body') return operation.requestBody?.content?.['application/json']?.schema;
  const parameters: any[] = (operation.parameters ?? []).map((p: any) =>
    p.$ref ? spec.components?.parameters?.[p.$ref.replace('#/components/parameters/', '')] : p,
  );
  const where = { params: 'path', headers: 'header' }[location] ?? 'query';
  const properties = Object.fromEntries(parameters.filter(p => p?.in === where).map(p => [p.name, p.schema]));
  return { properties };
}

/** `field: why` for each complaint; the noise of a oneOf's branches gives way to the field's description. */
export function describeComplaints(spec: Spec, req: express.Request, complaints: Complaint[]): string {
  const oneOfFailed = complaints.filter(c => c.text.startsWith('must match exactly one schema')).map(c => c.path);
  // A complaint inside a oneOf that failed as a whole is one branch's: the oneOf's own words replace them all.
  const inFailedOneOf = (path: string[]) => oneOfFailed.some(p => p.length <= path.length && p.every((s, i) => path[i] === s));
  const lines = new Set<string>();
  for (const { location, path, text } of complaints) {
    const field = fieldName(path);
    const root = rootSchema(spec, req, location);
    const required = /^must have required property '(.+)'$/.exec(text);
    if (required && !inFailedOneOf(path)) {
      lines.add(`${fieldName([...path, required[1]])}: required`);
    } else if (inFailedOneOf(path)) {
      if (!text.startsWith('must match exactly one schema')) continue;
      const described = schemasAt(spec, root, path).find(s => s.description)?.description;
      lines.add(`${field}: must be ${described ?? 'one of the forms openapi.yaml lists'}`);
    } else if (text === 'must NOT have additional properties') {
      const allowed = new Set(schemasAt(spec, root, path).flatMap(s => Object.keys(s.properties ?? {})));
      const given = valueAt((req as unknown as Record<string, unknown>)[location], path);
      const unknown = given && typeof given === 'object' ? Object.keys(given).filter(k => !allowed.has(k)) : [];
      for (const key of unknown.length ? unknown : ['?']) {
        lines.add(`${fieldName([...path, key])}: unknown field; allowed: ${[...allowed].join(', ')}`);
      }
    } else {
      lines.add(`${field || location}: ${text}`);
    }
  }
  return [...lines].join('; ');
}

/**
 * Rewords the OpenAPI router's 400s so the message starts with the field the
 * caller got wrong, then why: `to: required`, `method: must NOT have more than
 * 16 characters`, `verb: unknown field; allowed: environment, from, to, ...`,
 * `page: unknown query parameter`. Other errors pass unchanged.
 */
export function namedValidationErrors(spec: Spec): express.ErrorRequestHandler {
  return (error, req, _res, next) => {
    if (!(error instanceof InputError)) return next(error);
    const unknownQuery = /^Unknown query parameter '(.+)'$/.exec(error.message);
    if (unknownQuery) {
      const allowed = Object.keys(rootSchema(spec, req, 'query')?.properties ?? {});
      return next(new InputError(`${unknownQuery[1]}: unknown query parameter; allowed: ${allowed.join(', ') || 'none'}`));
    }
    const empty = /^Empty value found for query parameter '(.+)'$/.exec(error.message);
    if (empty) return next(new InputError(`${empty[1]}: must not be empty`));
    const complaints = parseComplaints(error.message);
    if (!complaints) return next(error);
    return next(new InputError(describeComplaints(spec, req, complaints)));
  };
}
