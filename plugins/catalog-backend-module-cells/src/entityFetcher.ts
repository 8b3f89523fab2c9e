import { AuthService, DatabaseService, LoggerService } from '@backstage/backend-plugin-api';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { EntityFetcher } from './CellValidationProcessor';

/**
 * Looks entities up in the catalog (the stitched entities, through the catalog
 * service with the plugin's own credentials).
 */
export function catalogServiceFetcher(options: { catalog: CatalogService; auth: AuthService }): EntityFetcher {
  const { catalog, auth } = options;
  return async refs => {
    const found = new Map<string, Entity>();
    if (refs.length === 0) return found;
    const { items } = await catalog.getEntitiesByRefs({ entityRefs: refs }, { credentials: await auth.getOwnServiceCredentials() });
    for (const item of items) {
      if (item) found.set(stringifyEntityRef(item).toLocaleLowerCase('en-US'), item);
    }
    return found;
  };
}

/**
 * Looks entities up among those registered with the catalog but not (yet)
 * stitched: the unprocessed entities of the catalog's own database.
 *
 * Why: an entity with processing errors is not stitched. Two cell components
 * that connect to each other, registered at the same time, would each wait
 * for the other to appear and never be ingested. Entities that are known to
 * the catalog but still being processed break that cycle. A ref that is in
 * neither place is reported as not in the catalog.
 */
export function registeredEntityFetcher(options: { database: DatabaseService }): EntityFetcher {
  return async refs => {
    const found = new Map<string, Entity>();
    if (refs.length === 0) return found;
    const knex = await options.database.getClient();
    const rows: { entity_ref: string; unprocessed_entity: string }[] = await knex('refresh_state')
      .whereIn('entity_ref', refs)
      .select('entity_ref', 'unprocessed_entity');
    for (const row of rows) {
      try {
        found.set(row.entity_ref, JSON.parse(row.unprocessed_entity));
      } catch {
        // an unreadable row is treated as absent
      }
    }
    return found;
  };
}

/** Asks each fetcher in turn for the refs the previous ones did not find. */
export function firstFound(fetchers: EntityFetcher[], logger: LoggerService): EntityFetcher {
  return async refs => {
    const found = new Map<string, Entity>();
    for (const fetcher of fetchers) {
      const rest = refs.filter(r => !found.has(r));
      if (rest.length === 0) break;
      try {
        for (const [ref, entity] of await fetcher(rest)) {
          found.set(ref, entity);
        }
      } catch (error) {
        // The next fetcher may still know; if none does, the reference is
        // reported as missing and the entity is processed again later.
        logger.warn(`Cell validation could not look up ${rest.join(', ')}: ${error}`);
      }
    }
    return found;
  };
}
