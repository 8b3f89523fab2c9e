import { BackstageCredentials, PermissionsService } from '@backstage/backend-plugin-api';
import { NotAllowedError } from '@backstage/errors';
import { AuthorizeResult, ResourcePermission } from '@backstage/plugin-permission-common';
import type { CellAccess } from '../service/CellsService';

/**
 * A cell permission (a resource permission on the cell's System entity) for
 * one request's caller, asked as few times as possible: first without a
 * resource, which a policy answers ALLOW or DENY for every cell at once; only
 * a CONDITIONAL answer (e.g. "cells the caller owns") is followed by one
 * batched request for all the cells in question, which the permission
 * backend resolves with the catalog in one call. Decisions are kept for the
 * request.
 */
export function cellAccess(permissions: PermissionsService, credentials: BackstageCredentials, permission: ResourcePermission<'catalog-entity'>): CellAccess {
  let general: Promise<AuthorizeResult> | undefined;
  const decided = new Map<string, boolean>();

  const decide = async (cellRefs: Iterable<string>): Promise<(ref: string) => boolean> => {
    general ??= permissions.authorizeConditional([{ permission }], { credentials }).then(([d]) => d.result);
    const result = await general;
    if (result === AuthorizeResult.ALLOW) return () => true;
    if (result === AuthorizeResult.DENY) return () => false;
    const asked = [...new Set(cellRefs)].filter(ref => !decided.has(ref));
    if (asked.length > 0) {
      const answers = await permissions.authorize(
        asked.map(resourceRef => ({ permission, resourceRef })),
        { credentials },
      );
      asked.forEach((ref, i) => decided.set(ref, answers[i].result === AuthorizeResult.ALLOW));
    }
    return ref => decided.get(ref) === true;
  };

  return {
    filter: decide,
    async require(cellRefs) {
      const refs = [...cellRefs];
      if (refs.length === 0) return;
      const may = await decide(refs);
      const denied = refs.find(ref => !may(ref));
      if (denied) throw new NotAllowedError(`${permission.name} is not allowed on ${denied}`);
    },
  };
}
