import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { KubeObject } from '@cellplane/cells-common';

/**
 * The start of the first line of every file Cellplane writes. A file without
 * it was written by someone else and is never touched.
 */
export const HEADER_PREFIX = '# Managed by Cellplane:';

/** The first line of a cell's file: names the cell and the environment. */
export function cellHeader(entityRef: string, environment: string): string {
  return `${HEADER_PREFIX} cell ${entityRef} in environment ${environment}. Do not edit: the next reconcile replaces this file.\n`;
}

/** The first line of the environment's egress file: names no cell, only the environment. */
export function egressHeader(environment: string): string {
  return `${HEADER_PREFIX} the platform egress namespace of environment ${environment}. Do not edit: the next reconcile replaces this file.\n`;
}

/** The first line of the folder's kustomization.yaml. */
export function kustomizationHeader(environment: string): string {
  return `${HEADER_PREFIX} the cells of environment ${environment}. Do not edit: the next reconcile replaces this file.\n`;
}

/** Who a file belongs to, read from its first line. */
export type Ownership =
  | { kind: 'missing' }
  | { kind: 'foreign' }
  /** `entityRef` is undefined when the header names no cell (kustomization.yaml). */
  | { kind: 'cellplane'; entityRef?: string };

export function ownershipOf(content: string | undefined): Ownership {
  if (content === undefined) return { kind: 'missing' };
  if (!content.startsWith(HEADER_PREFIX)) return { kind: 'foreign' };
  const end = content.indexOf('\n');
  const firstLine = end < 0 ? content : content.slice(0, end);
  const entityRef = /\b(system:[^\s,]+)/.exec(firstLine)?.[1];
  return { kind: 'cellplane', ...(entityRef ? { entityRef } : {}) };
}

const isMissing = (e: unknown) => (e as NodeJS.ErrnoException)?.code === 'ENOENT';

/** The file's text, or undefined when there is none. */
export async function readIfExists(file: string): Promise<string | undefined> {
  try {
    return await fs.readFile(file, 'utf8');
  } catch (e) {
    if (isMissing(e)) return undefined;
    throw e;
  }
}

/**
 * The first bytes of a file: enough to see its header without reading a
 * large file whole (the kustomization checks every file of the folder).
 */
export async function readHead(file: string): Promise<string | undefined> {
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(file, 'r');
  } catch (e) {
    if (isMissing(e)) return undefined;
    throw e;
  }
  try {
    const buffer = Buffer.alloc(256);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    return buffer.subarray(0, bytesRead).toString('utf8');
  } finally {
    await handle.close();
  }
}

/**
 * Replaces `file` with `content` so that readers see the old bytes or the new
 * ones, never a mix: a temporary file in the same folder (same file system),
 * flushed to disk, then renamed over the target. The temporary name starts
 * with a dot and does not end in .yaml, so nothing lists it meanwhile.
 */
export async function writeAtomic(file: string, content: string): Promise<void> {
  const temporary = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    const handle = await fs.open(temporary, 'wx', 0o644);
    try {
      await handle.writeFile(content, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.rename(temporary, file);
  } catch (e) {
    await fs.rm(temporary, { force: true }).catch(() => undefined);
    throw e;
  }
}

/** Flushes the folder's entries (renames, deletions) to disk. */
export async function syncFolder(dir: string): Promise<void> {
  const handle = await fs.open(dir, 'r');
  try {
    await handle.sync();
  } catch {
    // Some file systems cannot fsync a directory; the renames still happened.
  } finally {
    await handle.close();
  }
}

/**
 * The Kubernetes objects of a cell file. Throws, naming the file and line,
 * when the YAML does not parse or a document is not a Kubernetes object (a
 * hand edit gone wrong).
 */
export function parseObjects(content: string, file: string): KubeObject[] {
  const objects: KubeObject[] = [];
  const documents = parseAllDocuments(content, { prettyErrors: true });
  if (!Array.isArray(documents)) return objects; // only comments
  documents.forEach((document, index) => {
    const [error] = document.errors;
    if (error) {
      throw new Error(`${file} is not valid YAML (document ${index + 1}): ${error.message}`);
    }
    const value = document.toJS();
    if (value === null || value === undefined) return;
    const object = value as Partial<KubeObject>;
    if (typeof object !== 'object' || typeof object.apiVersion !== 'string' || typeof object.kind !== 'string' || typeof object.metadata?.name !== 'string') {
      throw new Error(`${file}: document ${index + 1} is not a Kubernetes object (it needs apiVersion, kind and metadata.name)`);
    }
    objects.push(object as KubeObject);
  });
  return objects;
}
