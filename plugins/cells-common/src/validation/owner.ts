import { Entity, parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import { CellProblem, RbacSubject } from '../model/types';
import { subjectMatches } from '../settings/templates';
import { isCellSystem } from './entity';
import { EntityLookup, ownerRefOf } from './membership';

/** A cell's owner as the subject of its RoleBinding, or the problem that keeps it from being one. */
export type OwnerSubject = { subject: RbacSubject } | { problem: CellProblem };

/**
 * A cell's `spec.owner` becomes a Kubernetes RBAC subject (rbacSubjectName), so it must be someone the catalog knows and the
 * platform allows: a Group or User entity, admitted by cells.rbac.subjects,
 * never a `system:` name (Kubernetes' own groups such as system:authenticated
 * hold every identity of the cluster).
 */
export function ownerSubjectOf(entity: Entity, lookup: EntityLookup, patterns: readonly string[]): OwnerSubject {
  const entityRef = stringifyEntityRef(entity);
  const raw = (entity.spec as { owner?: unknown } | undefined)?.owner;
  const fix =
    'set spec.owner to a Group or User of the catalog (its members may then deploy into the cell), or ask the platform team to allow it in cells.rbac.subjects';
  const problem = (message: string): OwnerSubject => ({ problem: { entityRef, field: 'spec.owner', message, fix } });
  const ref = ownerRefOf(entity);
  if (!ref) return problem(`${JSON.stringify(raw)} is not an entity ref`);
  const { kind, name } = parseEntityRef(ref);
  if (/^system:/i.test(name)) {
    return problem(`${ref} would bind Kubernetes' own ${name}, which holds identities outside the catalog (system: names are never bound)`);
  }
  const found = lookup(ref.toLocaleLowerCase('en-US'));
  if (!found) return problem(`${ref} is not in the catalog, so nobody can tell whom a RoleBinding to it admits`);
  if (!['group', 'user'].includes(kind.toLowerCase()) || found.kind.toLowerCase() !== kind.toLowerCase()) {
    return problem(`${ref} is not a Group or User`);
  }
  if (!patterns.some(p => subjectMatches(p, ref))) {
    return problem(`${ref} is not admitted by cells.rbac.subjects (${patterns.join(', ') || 'none'})`);
  }
  return { subject: { kind: kind.toLowerCase() === 'user' ? 'User' : 'Group', name: rbacSubjectName(found.metadata.namespace, found.metadata.name) } };
}

/**
 * The Kubernetes name of a Group or User entity as an RBAC subject: its name
 * in the default catalog namespace, `<namespace>/<name>` in any other, so
 * `group:team-a/ops` and `group:default/ops` never become one subject (entity
 * names hold no '/', so no default-namespace name looks like the other form).
 */
export function rbacSubjectName(namespace: string | undefined, name: string): string {
  return !namespace || namespace === 'default' ? name : `${namespace}/${name}`;
}

/** The owner problem of a cell System, or none (also none when RBAC is off: the owner is then bound to nothing). */
export function checkOwner(entity: Entity, lookup: EntityLookup, patterns: readonly string[] | false): CellProblem[] {
  if (patterns === false || !isCellSystem(entity)) return [];
  const result = ownerSubjectOf(entity, lookup, patterns);
  return 'problem' in result ? [result.problem] : [];
}
