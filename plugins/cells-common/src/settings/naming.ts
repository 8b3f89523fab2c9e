import { sha256 } from '@noble/hashes/sha256';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils';
import { CellsSettings } from './settings';

const MAX_NAME = 63;

/** OpenChoreo's part sanitiser: lower case, other characters to '-', '-'/'.' trimmed. */
function sanitize(part: string): string {
  return part
    .toLowerCase()
    .replace(/[^a-z0-9.-]/g, '-')
    .replace(/^[-.]+|[-.]+$/g, '');
}

/**
 * The namespace OpenChoreo gives a project in an environment:
 * `dp-<ns>-<project>-<env>-<hash8>`, each part cut to its share of 63 characters
 * (13/13/13/12), hash8 over the original parts. Same input, same name as
 * OpenChoreo, so Cellplane can manage cells OpenChoreo created.
 */
export function openChoreoNamespace(controlPlaneNamespace: string, project: string, environment: string): string {
  const parts = ['dp', controlPlaneNamespace, project, environment];
  const hash = bytesToHex(sha256(utf8ToBytes(parts.join('-')))).slice(0, 8);
  const shares = [13, 13, 13, 12];
  const cut = parts.map((p, i) => sanitize(p).slice(0, shares[i]));
  return [...cut, hash].join('-').replace(/^[^a-z0-9]+|[^a-z0-9]+$/g, '').slice(0, MAX_NAME);
}

/** The namespace of a cell in an environment, by the configured scheme. */
export function cellNamespace(
  settings: CellsSettings,
  cell: { name: string; entityNamespace: string },
  environment: string,
): string {
  if (settings.naming.scheme === 'cell-env') {
    return `${cell.name}-${environment}`.slice(0, MAX_NAME).replace(/-+$/, '');
  }
  return openChoreoNamespace(settings.naming.controlPlaneNamespace ?? cell.entityNamespace, cell.name, environment);
}
