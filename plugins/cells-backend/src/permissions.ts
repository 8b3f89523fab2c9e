import { createPermission } from '@backstage/plugin-permission-common';

/**
 * Read a cell's compiled manifests and plan. A resource permission on the
 * cell's catalog entity, so a policy can decide per cell.
 */
export const cellsManifestReadPermission = createPermission({
  name: 'cells.manifest.read',
  attributes: { action: 'read' },
  resourceType: 'catalog-entity',
});

/** Start a reconcile of a cell (or of all cells, which needs it on every cell). */
export const cellsReconcilePermission = createPermission({
  name: 'cells.reconcile',
  attributes: { action: 'update' },
  resourceType: 'catalog-entity',
});

export const cellsPermissions = [cellsManifestReadPermission, cellsReconcilePermission];
