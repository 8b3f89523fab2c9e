import crypto from 'node:crypto';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { InMemoryCatalogClient } from '@backstage/catalog-client/testUtils';
import { CatalogService } from '@backstage/plugin-catalog-node';

/**
 * A catalog for tests whose content can change between reads, as the real
 * catalog's does when someone edits an entity: the catalog client's in-memory
 * implementation (the one catalogServiceMock uses), rebuilt on each change,
 * with etags the way the catalog sets them (new content, new etag).
 */
export class ChangingCatalog {
  private entities = new Map<string, Entity>();
  private client = new InMemoryCatalogClient({ entities: [] });

  constructor(entities: Entity[] = []) {
    this.set(...entities);
  }

  /** Adds or replaces entities. */
  set(...entities: Entity[]): void {
    for (const entity of entities) {
      const withoutEtag = { ...entity, metadata: { ...entity.metadata, etag: undefined } };
      const etag = crypto.createHash('sha1').update(JSON.stringify(withoutEtag)).digest('hex');
      this.entities.set(stringifyEntityRef(entity), { ...entity, metadata: { ...entity.metadata, etag } });
    }
    this.rebuild();
  }

  remove(...refs: string[]): void {
    refs.forEach(ref => this.entities.delete(ref));
    this.rebuild();
  }

  get(ref: string): Entity | undefined {
    return this.entities.get(ref);
  }

  private rebuild() {
    this.client = new InMemoryCatalogClient({ entities: [...this.entities.values()] });
  }

  /** The catalog service: each method asks the catalog as it is now. */
  readonly service: CatalogService = Object.fromEntries(
    Object.getOwnPropertyNames(InMemoryCatalogClient.prototype)
      .filter(name => name !== 'constructor')
      .map(name => [name, (...args: unknown[]) => (this.client as any)[name](...args)]),
  ) as unknown as CatalogService;
}
