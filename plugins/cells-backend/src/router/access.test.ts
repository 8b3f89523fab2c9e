import { mockCredentials } from '@backstage/backend-test-utils';
import { PermissionsService } from '@backstage/backend-plugin-api';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { cellsManifestReadPermission } from '../permissions';
import { cellAccess } from './access';

/** A permission service answering `general` without a resource, and per ref from `allowed`; counts the calls. */
function policy(general: AuthorizeResult, allowed: string[] = []) {
  const calls = { general: 0, batches: [] as string[][] };
  const service = {
    authorizeConditional: async (reqs: unknown[]) => {
      calls.general++;
      return reqs.map(() =>
        general === AuthorizeResult.CONDITIONAL
          ? { result: general, pluginId: 'catalog', resourceType: 'catalog-entity', conditions: { rule: 'R', resourceType: 'catalog-entity', params: {} } }
          : { result: general },
      );
    },
    authorize: async (reqs: { resourceRef: string }[]) => {
      calls.batches.push(reqs.map(r => r.resourceRef));
      return reqs.map(r => ({ result: allowed.includes(r.resourceRef) ? AuthorizeResult.ALLOW : AuthorizeResult.DENY }));
    },
  } as unknown as PermissionsService;
  return { service, calls };
}

const cells = ['system:default/a', 'system:default/b', 'system:default/c'];
const access = (p: ReturnType<typeof policy>) => cellAccess(p.service, mockCredentials.user(), cellsManifestReadPermission);

describe('cellAccess', () => {
  it.each([
    ['ALLOW: every cell, no per-cell question', AuthorizeResult.ALLOW, [], cells, 0],
    ['DENY: no cell, no per-cell question', AuthorizeResult.DENY, cells, [], 0],
    ['CONDITIONAL: the cells the batch allows', AuthorizeResult.CONDITIONAL, ['system:default/b'], ['system:default/b'], 1],
  ] as const)('%s', async (_what, general, allowed, visible, batches) => {
    const p = policy(general, [...allowed]);
    const may = await access(p).filter(cells);
    expect(cells.filter(may)).toEqual(visible);
    expect(p.calls.general).toBe(1);
    expect(p.calls.batches).toHaveLength(batches);
  });

  it('asks once per request: the general answer and each cell are kept', async () => {
    const p = policy(AuthorizeResult.CONDITIONAL, ['system:default/a']);
    const one = access(p);
    await one.filter(cells);
    await one.filter(cells);
    await one.require(['system:default/a']);
    expect(p.calls.general).toBe(1);
    expect(p.calls.batches).toEqual([cells]);
  });

  it('require names the permission and the first cell refused, and asks nothing for no cells', async () => {
    const p = policy(AuthorizeResult.CONDITIONAL, ['system:default/a']);
    await expect(access(p).require(['system:default/a', 'system:default/c'])).rejects.toThrow('cells.manifest.read is not allowed on system:default/c');
    const q = policy(AuthorizeResult.DENY);
    await expect(access(q).require([])).resolves.toBeUndefined();
    expect(q.calls.general).toBe(0);
  });
});
