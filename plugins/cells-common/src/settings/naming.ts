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
 * What the hash of a namespace name covers. OpenChoreo hashes the parts joined
 * by '-', which cannot tell `default-ops` + `core` from `default` + `ops-core`.
 * When the namespace part has no '-' (`default`, most catalogs), that join is
 * still unambiguous across catalog namespaces, and it is kept: those cells keep
 * OpenChoreo's name. Otherwise the parts are joined by '/', which no part
 * (DNS labels) contains and no '-'-joined input has: the inputs of two
 * different cells never agree.
 */
export function namespaceHashInput(controlPlaneNamespace: string, project: string, environment: string): string {
  const parts = ['dp', controlPlaneNamespace, project, environment];
  return parts.join(controlPlaneNamespace.includes('-') ? '/' : '-');
}

/**
 * The namespace OpenChoreo gives a project in an environment:
 * `dp-<ns>-<project>-<env>-<hash8>`, each part cut to its share of 63 characters
 * (13/13/13/12), hash8 over {@link namespaceHashInput}. For a namespace part
 * without '-' the same name as OpenChoreo's, so Cellplane can manage cells
 * OpenChoreo created.
 */
export function openChoreoNamespace(controlPlaneNamespace: string, project: string, environment: string): string {
  const parts = ['dp', controlPlaneNamespace, project, environment];
  const hash = bytesToHex(sha256(utf8ToBytes(namespaceHashInput(controlPlaneNamespace, project, environment)))).slice(0, 8);
  const shares = [13, 13, 13, 12];
  const cut = parts.map((p, i) => sanitize(p).slice(0, shares[i]));
  return [...cut, hash]
    .join('-')
    .replace(/^[^a-z0-9]+|[^a-z0-9]+$/g, '')
    .slice(0, MAX_NAME);
}

/** The namespace of a cell in an environment, by the configured scheme. */
export function cellNamespace(settings: CellsSettings, cell: { name: string; entityNamespace: string }, environment: string): string {
  if (settings.naming.scheme === 'cell-env') {
    return `${cell.name}-${environment}`.slice(0, MAX_NAME).replace(/-+$/, '');
  }
  return openChoreoNamespace(settings.naming.controlPlaneNamespace ?? cell.entityNamespace, cell.name, environment);
}
