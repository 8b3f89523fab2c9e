import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { AuthService } from '@backstage/backend-plugin-api';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { compareText } from '@cellplane/cells-common';

export interface EntityChange {
  entityRef: string;
  change: 'added' | 'updated' | 'removed';
}

const PAGE = 1000;
const FETCH_CHUNK = 500;
/** Owners: only whether they exist matters (a cell's owner must be one to become an RBAC subject). */
const OWNER_KINDS = ['group', 'user'];
const EXISTS = 'exists';

/**
 * The cell entities as the catalog service has them. The catalog publishes no
 * entity-change events, so changes are found by comparing etags: each sync
 * pages through Systems, Components and APIs asking only for their refs and etags,
 * then fetches in full just the entities whose etag moved. The full entities
 * kept here are a cache of catalog answers, refreshed by etag, never a second
 * source of truth. Groups and Users are kept as their refs only (kind and
 * name, never fetched): a cell's owner becomes the subject of its RoleBinding
 * only if the catalog has it, and only its appearing or going matters.
 */
export class CatalogCellSource {
  private readonly entities = new Map<string, Entity>();
  private readonly etags = new Map<string, string>();

  constructor(private readonly deps: { catalog: CatalogService; auth: AuthService }) {}

  /** Every System, Component and API last seen, and every Group and User as a stub of its kind and name, sorted by ref. */
  all(): Entity[] {
    return [...this.entities.entries()].sort(([a], [b]) => compareText(a, b)).map(([, e]) => e);
  }

  get size(): number {
    return this.entities.size;
  }

  /**
   * Reads the catalog's etags, fetches what changed, and returns the changes.
   * With `full`, fetches every System and Component whatever its etag says and
   * compares content: an entity the deltas missed (read between pages, first
   * seen with a processing error, an etag that did not move) is caught up.
   */
  async sync(options: { full?: boolean } = {}): Promise<EntityChange[]> {
    const credentials = await this.deps.auth.getOwnServiceCredentials();
    const seen = new Map<string, string>();
    const stubs = new Map<string, Entity>();
    let cursor: string | undefined;
    do {
      const page = await this.deps.catalog.queryEntities(
        cursor
          ? { cursor, limit: PAGE }
          : {
              // APIs: an OpenAPI API a component provides is what its endpoint serves (docs/front-door.md).
              filter: { kind: ['System', 'Component', 'API', 'Group', 'User'] },
              fields: ['kind', 'metadata.namespace', 'metadata.name', 'metadata.etag', 'metadata.uid'],
              limit: PAGE,
            },
        { credentials },
      );
      for (const item of page.items) {
        const ref = stringifyEntityRef(item);
        if (OWNER_KINDS.includes(item.kind.toLowerCase())) {
          seen.set(ref, EXISTS);
          stubs.set(ref, {
            apiVersion: 'backstage.io/v1alpha1',
            kind: item.kind,
            metadata: { name: item.metadata.name, namespace: item.metadata.namespace ?? 'default' },
          });
        } else {
          seen.set(ref, item.metadata.etag ?? item.metadata.uid ?? '');
        }
      }
      cursor = page.pageInfo.nextCursor;
    } while (cursor);

    const changes: EntityChange[] = [];
    const toFetch: string[] = [];
    /** Fetched again only to compare: reported when the content differs from what is kept. */
    const toCompare = new Set<string>();
    for (const [ref, etag] of seen) {
      const known = this.etags.get(ref);
      if (known === undefined) changes.push({ entityRef: ref, change: 'added' });
      else if (known !== etag || etag === '') changes.push({ entityRef: ref, change: 'updated' });
      else {
        if (options.full && !stubs.has(ref)) {
          toCompare.add(ref);
          toFetch.push(ref);
        }
        continue;
      }
      if (!stubs.has(ref)) toFetch.push(ref);
    }
    for (const ref of this.etags.keys()) {
      if (!seen.has(ref)) changes.push({ entityRef: ref, change: 'removed' });
    }

    const fetched = new Map<string, Entity>();
    for (let i = 0; i < toFetch.length; i += FETCH_CHUNK) {
      const refs = toFetch.slice(i, i + FETCH_CHUNK);
      const { items } = await this.deps.catalog.getEntitiesByRefs({ entityRefs: refs }, { credentials });
      items.forEach((entity, j) => {
        if (entity) fetched.set(refs[j], entity);
      });
    }
    for (const ref of toCompare) {
      const entity = fetched.get(ref);
      if (entity && !sameContent(entity, this.entities.get(ref))) changes.push({ entityRef: ref, change: 'updated' });
    }
    // Apply only after every fetch succeeded: a failed sync leaves the cache as it was.
    const applied: EntityChange[] = [];
    for (const change of changes) {
      if (change.change === 'removed') {
        this.entities.delete(change.entityRef);
        this.etags.delete(change.entityRef);
        applied.push(change);
        continue;
      }
      const entity = fetched.get(change.entityRef) ?? stubs.get(change.entityRef);
      if (!entity) continue; // deleted between the two reads: the next sync sees it gone
      this.entities.set(change.entityRef, entity);
      this.etags.set(change.entityRef, seen.get(change.entityRef)!);
      applied.push(change);
    }
    return applied.sort((a, b) => compareText(a.entityRef, b.entityRef));
  }
}

/** Whether two reads of an entity say the same (the etag aside: one that did not move is what a full read distrusts). */
function sameContent(a: Entity, b: Entity | undefined): boolean {
  if (!b) return false;
  const strip = (e: Entity) => JSON.stringify({ ...e, metadata: { ...e.metadata, etag: undefined } });
  return strip(a) === strip(b);
}
