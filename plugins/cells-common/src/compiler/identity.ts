import { CellContext, KubeObject, meta } from './context';
import { CELL_OBJECT_NAMES } from './names';

const DEPLOYER = CELL_OBJECT_NAMES.deployer;

/** One ServiceAccount per component: its own SPIFFE identity, never `default`. */
export function serviceAccounts(ctx: CellContext): KubeObject[] {
  return ctx.components.map(c => ({
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: meta(ctx, c.name, c.ref),
    automountServiceAccountToken: false,
  }));
}

/**
 * The owner may deploy workloads into its cell, and nothing that changes the
 * cell's policy. Only an owner the model checked becomes the subject (a Group or
 * User of the catalog, admitted by cells.rbac.subjects): otherwise no binding.
 */
export function ownerRbac(ctx: CellContext): KubeObject[] {
  const subject = ctx.cell.subject;
  // Kubernetes' own system: groups and users hold identities the catalog does not know; never bound.
  if (!ctx.settings.rbac.enabled || !subject || /^system:/i.test(subject.name)) return [];
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
      subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: subject.kind, name: subject.name }],
    },
  ];
}
