import fs from 'node:fs/promises';
import path from 'node:path';
import { KubeObject, toYaml } from '@cellplane/cells-common';
import { kustomizationHeader, ownershipOf, readHead, readIfExists, writeAtomic } from './files';

/** The file kustomize reads; it lists the cell files. */
export const KUSTOMIZATION_FILE = 'kustomization.yaml';

/** A file of the folder that carries Cellplane's header, and the cell its header names. */
export interface CellFile {
  name: string;
  entityRef?: string;
}

/**
 * The Cellplane files of the folder (header checked), sorted by name: what
 * the kustomization lists and what the folder holds when asked which cells
 * it has. A few reads at a time: fast on a folder of thousands of cells,
 * within any file-descriptor limit.
 */
export async function cellFiles(dir: string): Promise<CellFile[]> {
  const candidates = (await fs.readdir(dir)).filter(n => n.endsWith('.yaml') && n !== KUSTOMIZATION_FILE && !n.startsWith('.')).sort();
  const files: CellFile[] = [];
  for (let i = 0; i < candidates.length; i += 32) {
    const batch = candidates.slice(i, i + 32);
    const heads = await Promise.all(batch.map(n => readHead(path.join(dir, n))));
    batch.forEach((name, k) => {
      const owner = ownershipOf(heads[k]);
      if (owner.kind === 'cellplane') files.push({ name, ...(owner.entityRef ? { entityRef: owner.entityRef } : {}) });
    });
  }
  return files;
}

/** What writing the kustomization did. */
export type KustomizationWrite = 'unchanged' | 'written' | 'foreign';

/** Rewrites kustomization.yaml to list the Cellplane files of the folder, if that changes it; never a file someone else wrote. */
export async function writeKustomization(dir: string, environment: string): Promise<KustomizationWrite> {
  const file = path.join(dir, KUSTOMIZATION_FILE);
  const resources = (await cellFiles(dir)).map(f => f.name);
  // metadata.name is optional for kustomize, but with it every document
  // of the folder is a named object, so `cellplane analyze <folder>` reads it.
  const kustomization: KubeObject = {
    apiVersion: 'kustomize.config.k8s.io/v1beta1',
    kind: 'Kustomization',
    metadata: { name: `cellplane-${environment}` },
    resources,
  };
  const content = kustomizationHeader(environment) + toYaml([kustomization]);
  const existing = await readIfExists(file);
  if (existing === content) return 'unchanged';
  if (ownershipOf(existing).kind === 'foreign') return 'foreign';
  await writeAtomic(file, content);
  return 'written';
}
