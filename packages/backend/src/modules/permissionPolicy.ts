import { coreServices, createBackendModule } from '@backstage/backend-plugin-api';
import { AuthorizeResult, isPermission, PolicyDecision } from '@backstage/plugin-permission-common';
import { PermissionPolicy, PolicyQuery, PolicyQueryUser } from '@backstage/plugin-permission-node';
import { policyExtensionPoint } from '@backstage/plugin-permission-node/alpha';
import { catalogConditions, createCatalogConditionalDecision } from '@backstage/plugin-catalog-backend/alpha';
import { cellsReconcilePermission } from '@cellplane/plugin-cells-backend';

/**
 * The portal's policy. Everyone signed in may read everything; reconciling a
 * cell is for the cell's owner (a condition the catalog checks on the cell's
 * System) or for members of an admin group (`cells.permissions.adminGroups`).
 */
export class CellplanePermissionPolicy implements PermissionPolicy {
  constructor(private readonly adminGroups: string[]) {}

  async handle(request: PolicyQuery, user?: PolicyQueryUser): Promise<PolicyDecision> {
    if (!isPermission(request.permission, cellsReconcilePermission)) return { result: AuthorizeResult.ALLOW };
    const claims = user?.info.ownershipEntityRefs ?? [];
    if (claims.some(ref => this.adminGroups.includes(ref))) return { result: AuthorizeResult.ALLOW };
    if (!user) return { result: AuthorizeResult.DENY };
    return createCatalogConditionalDecision(cellsReconcilePermission, catalogConditions.isEntityOwner({ claims }));
  }
}

export const permissionPolicyModule = createBackendModule({
  pluginId: 'permission',
  moduleId: 'cellplane-policy',
  register(reg) {
    reg.registerInit({
      deps: { policy: policyExtensionPoint, config: coreServices.rootConfig },
      async init({ policy, config }) {
        policy.setPolicy(new CellplanePermissionPolicy(config.getOptionalStringArray('cells.permissions.adminGroups') ?? []));
      },
    });
  },
});
