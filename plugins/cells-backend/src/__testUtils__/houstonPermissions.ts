import { coreServices, createServiceFactory } from '@backstage/backend-plugin-api';
import { AuthorizeResult } from '@backstage/plugin-permission-common';

/** A user who may read the houston cell alone. */
export const houstonOnly = 'user:default/houston-operator';

/** A policy that lets houstonOnly read houston alone (a conditional decision, as an owner policy gives), everyone else every cell. */
export const houstonPermissions = createServiceFactory({
  service: coreServices.permissions,
  deps: {},
  factory: () => {
    const isHoustonOnly = (options: any) => options?.credentials?.principal?.userEntityRef === houstonOnly;
    return {
      async authorizeConditional(requests: any[], options: any) {
        return requests.map(() =>
          isHoustonOnly(options)
            ? { result: AuthorizeResult.CONDITIONAL, pluginId: 'catalog', resourceType: 'catalog-entity', conditions: { rule: 'IS_HOUSTON', params: {} } }
            : { result: AuthorizeResult.ALLOW },
        );
      },
      async authorize(requests: any[], options: any) {
        return requests.map(r => ({
          result: !isHoustonOnly(options) || r.resourceRef === 'system:default/houston' ? AuthorizeResult.ALLOW : AuthorizeResult.DENY,
        }));
      },
    } as any;
  },
});
