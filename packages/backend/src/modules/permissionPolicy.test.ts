import { mockCredentials } from '@backstage/backend-test-utils';
import { AuthorizeResult, createPermission } from '@backstage/plugin-permission-common';
import { cellsManifestReadPermission, cellsReconcilePermission } from '@cellplane/plugin-cells-backend';
import { CellplanePermissionPolicy } from './permissionPolicy';

const user = (ref: string, ownership: string[]) => ({
  credentials: mockCredentials.user(ref),
  info: { userEntityRef: ref, ownershipEntityRefs: ownership },
});

describe('CellplanePermissionPolicy', () => {
  const policy = new CellplanePermissionPolicy(['group:default/cellplane-admins']);

  it('lets every signed-in user read, manifests included', async () => {
    const alice = user('user:default/alice', ['user:default/alice']);
    expect((await policy.handle({ permission: cellsManifestReadPermission }, alice)).result).toBe(AuthorizeResult.ALLOW);
    const catalogRead = createPermission({ name: 'catalog.entity.read', attributes: { action: 'read' }, resourceType: 'catalog-entity' });
    expect((await policy.handle({ permission: catalogRead }, alice)).result).toBe(AuthorizeResult.ALLOW);
  });

  it('lets an admin group member reconcile any cell', async () => {
    const admin = user('user:development/guest', ['user:development/guest', 'group:default/cellplane-admins']);
    expect((await policy.handle({ permission: cellsReconcilePermission }, admin)).result).toBe(AuthorizeResult.ALLOW);
  });

  it('lets anyone else reconcile only the cells they own (a condition on the cell entity)', async () => {
    const bob = user('user:default/bob', ['user:default/bob', 'group:default/houston-flight-ops']);
    const decision = await policy.handle({ permission: cellsReconcilePermission }, bob);
    expect(decision).toEqual({
      result: AuthorizeResult.CONDITIONAL,
      pluginId: 'catalog',
      resourceType: 'catalog-entity',
      conditions: { rule: 'IS_ENTITY_OWNER', resourceType: 'catalog-entity', params: { claims: ['user:default/bob', 'group:default/houston-flight-ops'] } },
    });
  });

  it('refuses reconciling without a user', async () => {
    expect((await policy.handle({ permission: cellsReconcilePermission })).result).toBe(AuthorizeResult.DENY);
  });
});
