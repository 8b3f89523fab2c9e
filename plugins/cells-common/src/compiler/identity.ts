import { parseEntityRef } from '@backstage/catalog-model';
import { CellContext, KubeObject, meta } from './context';

const DEPLOYER = 'cell-deployer';

/** One ServiceAccount per component: its own SPIFFE identity, never `default`. */
export function serviceAccounts(ctx: CellContext): KubeObject[] {
  return ctx.components.map(c => ({
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: meta(ctx, c.name, c.ref),
    automountServiceAccountToken: false,
  }));
}

/** The owner may deploy workloads into its cell, and nothing that changes the cell's policy. */
export function ownerRbac(ctx: CellContext): KubeObject[] {
  if (!ctx.settings.rbac.enabled || !ctx.cell.owner) return [];
  const owner = parseEntityRef(ctx.cell.owner);
  const subject = {
    apiGroup: 'rbac.authorization.k8s.io',
    kind: owner.kind.toLowerCase() === 'user' ? 'User' : 'Group',
    name: owner.name,
  };
  return [
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: meta(ctx, DEPLOYER, ctx.cell.ref),
      rules: ctx.settings.rbac.rules.map(r => ({ apiGroups: [...r.apiGroups], resources: [...r.resources], verbs: [...r.verbs] })),
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: meta(ctx, DEPLOYER, ctx.cell.ref),
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: DEPLOYER },
      subjects: [subject],
    },
  ];
}
