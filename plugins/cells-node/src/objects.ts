import { isDeepStrictEqual } from 'node:util';
import type { KubeObject } from '@cellplane/cells-common';
import type { ObjectChangeSet, ObjectRef } from './target';

/** What identifies an object: enough of a compiled object, a parsed file or a live object. */
export interface ObjectIdentity {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string };
}

/** Objects are the same object when apiVersion, kind, namespace and name match. */
export function objectId(o: ObjectIdentity): string {
  return [o.apiVersion, o.kind, o.metadata.namespace ?? '', o.metadata.name].join('\0');
}

export function objectRef(o: ObjectIdentity): ObjectRef {
  return {
    apiVersion: o.apiVersion,
    kind: o.kind,
    ...(o.metadata.namespace ? { namespace: o.metadata.namespace } : {}),
    name: o.metadata.name,
  };
}

/** `Kind namespace/name`, for messages. */
export function objectName(o: ObjectIdentity): string {
  return `${o.kind} ${o.metadata.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata.name}`;
}

export function noChanges(unchanged = 0): ObjectChangeSet {
  return { create: [], update: [], prune: [], unchanged };
}

/** Creates, updates and prunes in all. */
export function changeCount(changes: ObjectChangeSet): number {
  return changes.create.length + changes.update.length + changes.prune.length;
}

/**
 * The objects a target holds for a cell that the cell no longer wants: the
 * one place that decides what is pruned (and reported `unwanted`).
 */
export function unwantedObjects<T extends ObjectIdentity>(desired: readonly ObjectIdentity[], held: readonly T[]): T[] {
  const wanted = new Set(desired.map(objectId));
  return held.filter(o => !wanted.has(objectId(o)));
}

/**
 * What applying `desired` over what a target holds does, object by object.
 * `actual` holds the target's copies (the first of an id counts), `differs`
 * says whether a held copy needs an update.
 */
export function compareObjects<T extends ObjectIdentity>(
  desired: readonly KubeObject[],
  actual: readonly T[],
  differs: (desired: KubeObject, actual: T) => boolean,
): ObjectChangeSet {
  const byId = new Map<string, T>();
  for (const o of actual) if (!byId.has(objectId(o))) byId.set(objectId(o), o);
  const changes = noChanges();
  for (const o of desired) {
    const found = byId.get(objectId(o));
    if (!found) changes.create.push(objectRef(o));
    else if (differs(o, found)) changes.update.push(objectRef(o));
    else changes.unchanged++;
  }
  changes.prune = unwantedObjects(desired, [...byId.values()]).map(objectRef);
  return changes;
}

const show = (value: unknown) => (value === undefined ? '(absent)' : JSON.stringify(value));

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

const isEmptyContainer = (value: unknown) => (isRecord(value) && !Object.keys(value).length) || (Array.isArray(value) && !value.length);

/** `a.b`, or `a["app.kubernetes.io/name"]` when the key is not a plain word. */
function child(at: string, key: string): string {
  if (/^[A-Za-z_$][\w$-]*$/.test(key)) return at ? `${at}.${key}` : key;
  return `${at}[${JSON.stringify(key)}]`;
}

/**
 * How two copies of an object are compared:
 * - `exact`: every field on either side (a file Cellplane wrote: any extra key is a hand edit);
 * - `managed`: only the fields the desired copy sets, lists whole (a live
 *   object: keys the server adds as defaults are not Cellplane's, but an item
 *   added to a list by hand is a change; an empty object or list the server
 *   dropped is the same).
 */
export type DiffMode = 'exact' | 'managed';

/**
 * The fields where `actual` differs from `expected`, one line each as
 * `path: expected -> actual`, e.g.
 * `spec.rules[0].to[0].operation.methods[1]: (absent) -> "DELETE"`. Objects
 * and lists are walked down to the leaves that differ, so a hand edit shows as
 * the field it touched rather than the whole object.
 */
export function fieldDiff(expected: unknown, actual: unknown, mode: DiffMode = 'exact', at = ''): string[] {
  if (mode === 'managed' && expected === undefined) return [];
  if (isDeepStrictEqual(expected, actual)) return [];
  if (isRecord(expected) && isRecord(actual)) {
    const keys = mode === 'exact' ? [...new Set([...Object.keys(expected), ...Object.keys(actual)])] : Object.keys(expected);
    return keys.sort().flatMap(k => fieldDiff(expected[k], actual[k], mode, child(at, k)));
  }
  if (Array.isArray(expected) && Array.isArray(actual)) {
    const lines: string[] = [];
    for (let i = 0; i < Math.max(expected.length, actual.length); i++) {
      if (i >= expected.length) lines.push(`${at}[${i}]: (absent) -> ${show(actual[i])}`);
      else lines.push(...fieldDiff(expected[i], actual[i], mode, `${at}[${i}]`));
    }
    return lines;
  }
  if (mode === 'managed' && actual === undefined && isEmptyContainer(expected)) return [];
  return [`${at || '(root)'}: ${show(expected)} -> ${show(actual)}`];
}

/** The parts of a compiled object Cellplane owns: everything but status and server-set metadata. */
export function managedPart(object: { metadata: object } & Record<string, unknown>): Record<string, unknown> {
  const { status: _status, metadata, ...rest } = object;
  const { name, namespace, labels, annotations } = metadata as Record<string, unknown>;
  return { ...rest, metadata: { name, namespace, labels, annotations } };
}

/** The managed fields where a live object differs from the compiled one (`managed` mode over `managedPart`). */
export function managedDiff(desired: KubeObject, live: unknown): string[] {
  return fieldDiff(managedPart(desired), live, 'managed');
}
