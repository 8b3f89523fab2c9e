import crypto from 'node:crypto';
import zlib from 'node:zlib';
import { LRUCache } from 'lru-cache';
import { Entity } from '@backstage/catalog-model';
import {
  CellModel,
  CellsSettings,
  ComponentProtection,
  EgressReach,
  ScrapeReach,
  cellNamespace,
  compareText,
  egressReachByComponent,
  platformReachByComponent,
  scrapeReach,
} from '@cellplane/cells-common';
import { CompiledView, analysable } from './analysis';
import type { CellState, EgressReach as EgressEdge, TopologyCell, TopologyExternal, TopologyResponse, TopologyScrape } from '../schema/types';
import { componentViews, grantViews } from './views';

/** What a topology answer holds that is fixed per catalog snapshot: everything but the cells' states. */
export type TopologyBase = Omit<TopologyResponse, 'cells'> & { cells: Omit<TopologyCell, 'state' | 'message'>[] };

const UNPROTECTED: ComponentProtection = { l3l4: false, mtls: false, l7: false };

/**
 * Everything the graph draws in one environment, but the states: every cell
 * there, its components with their protection, and the declared calls. A cell
 * that cannot be compiled or analysed (`failures`) is drawn with why, its
 * components unprotected and none of its calls: they are not known to hold.
 * Egress is what the analyzer lets each component reach outside the cluster
 * (analysedEgress); a failed cell's components reach nothing drawn.
 */
export function topologyBase(input: {
  model: CellModel;
  entities: Map<string, Entity>;
  settings: CellsSettings;
  environment: string;
  environments: string[];
  protection: Map<string, ComponentProtection>;
  /** Its `failures` (cells drawn with why) and the simulation asked about each component's egress. */
  view: CompiledView;
}): TopologyBase {
  const { model, entities, settings, environment, environments, protection, view } = input;
  const failures = view.failures;
  const egress = analysedEgress(view, model, settings);
  const scrapes = analysedScrapes(view, model, settings);
  const here = model.cells.filter(c => c.environments.includes(environment));
  const components = componentViews(model, entities, new Set(here.map(c => c.ref))).map(c => ({
    ...c,
    protection: protection.get(c.entityRef) ?? UNPROTECTED,
  }));
  const drawn = new Set(components.filter(c => !failures.has(c.cell)).map(c => c.entityRef));
  return {
    environment,
    environments,
    cells: here.map(c => ({
      entityRef: c.ref,
      title: entities.get(c.ref)?.metadata.title ?? c.name,
      owner: c.owner,
      namespace: cellNamespace(settings, c, environment),
      components: c.components,
      ...(failures.has(c.ref) ? { failure: failures.get(c.ref) } : {}),
    })),
    components,
    edges: grantViews(model, g => drawn.has(g.callee) && (g.caller.kind === 'gateway' || drawn.has(g.caller.ref))).map(
      ({ declaringEntity: _d, field: _f, ...edge }) => edge,
    ),
    ...egressOf(
      components.filter(c => drawn.has(c.entityRef)).flatMap(c => (egress.get(c.entityRef) ?? []).map(r => ({ from: c.entityRef, ...r }))),
      scrapes.filter(s => drawn.has(s.to)),
    ),
  };
}

/**
 * The external destinations the egress edges lead to and the platform
 * services that scrape, each once, in the order of their ids. `scrapes` is
 * left out when there are none, so a topology without platform services reads
 * as before.
 */
function egressOf(egress: EgressEdge[], scrapes: TopologyScrape[] = []): { externals: TopologyExternal[]; egress: EgressEdge[]; scrapes?: TopologyScrape[] } {
  const externals = new Map<string, TopologyExternal>();
  for (const s of scrapes) externals.set(s.from, { id: s.from, kind: 'platform', target: s.from.slice('platform:'.length) });
  for (const e of egress) {
    const known = externals.get(e.id);
    // One network declared with different carve-outs: the node lists every range carved out anywhere.
    const except = [...new Set([...(known?.except ?? []), ...(e.except ?? [])])].sort(compareText);
    externals.set(e.id, { id: e.id, kind: e.kind, target: e.target, ...(except.length ? { except } : {}) });
  }
  return { externals: [...externals.values()].sort((a, b) => compareText(a.id, b.id)), egress, ...(scrapes.length ? { scrapes } : {}) };
}

/**
 * Per component of the cells that compile and load, the hosts and networks
 * outside the cluster the analyzer lets it reach. When the environment cannot
 * be analysed as a whole (a problem between cells), nothing outside is drawn:
 * no edge the analyzer has not judged. Asked once per view.
 */
export function analysedEgress(view: CompiledView, model: CellModel, settings: CellsSettings): Map<string, EgressReach[]> {
  return (view.egress ??= reachOutside(view, model, settings));
}

function reachOutside(view: CompiledView, model: CellModel, settings: CellsSettings): Map<string, EgressReach[]> {
  try {
    const sim = analysable(view, model, settings);
    const present = new Set(sim.model.cells.filter(c => c.environments.includes(sim.environment) && !view.failures.has(c.ref)).map(c => c.ref));
    const components = sim.model.components.filter(c => present.has(c.cell));
    const reach = egressReachByComponent(sim, components);
    // Called platform services are drawn like external destinations (`platform:<name>` nodes).
    for (const [ref, platform] of platformReachByComponent(sim, components)) reach.set(ref, [...(reach.get(ref) ?? []), ...platform]);
    return reach;
  } catch {
    return new Map();
  }
}

/**
 * The scrapes of the cells that compile and load that the analyzer admits
 * (a scraper's `GET <path>` on the metrics port). Nothing when the
 * environment cannot be analysed as a whole. Asked once per view.
 */
export function analysedScrapes(view: CompiledView, model: CellModel, settings: CellsSettings): ScrapeReach[] {
  if (view.scrapes) return view.scrapes;
  try {
    const sim = analysable(view, model, settings);
    const present = new Set(sim.model.cells.filter(c => c.environments.includes(sim.environment) && !view.failures.has(c.ref)).map(c => c.ref));
    view.scrapes = scrapeReach(
      sim,
      sim.model.components.filter(c => present.has(c.cell)),
    );
  } catch {
    view.scrapes = [];
  }
  return view.scrapes;
}

/** A topology answer as sent: its JSON once, and a strong ETag of it. */
export interface ServedTopology {
  body: Buffer;
  etag: string;
  /** The same JSON gzipped (made on first use), with its own ETag. */
  gzip(): { body: Buffer; etag: string };
  /** The bytes it holds: the JSON, and the gzipped copy once made. */
  bytes(): number;
}

/**
 * Serializes a topology answer once, for every request that asks for the same
 * one; browsers get a gzipped copy made once too (megabytes at thousands of
 * components would otherwise be compressed per request).
 */
export function serveTopology(response: TopologyResponse, onGzip?: () => void): ServedTopology {
  const body = Buffer.from(JSON.stringify(response));
  const hash = crypto.createHash('sha1').update(body).digest('base64url');
  let gzipped: { body: Buffer; etag: string } | undefined;
  return {
    body,
    etag: `"${hash}"`,
    gzip: () => {
      if (!gzipped) {
        gzipped = { body: zlib.gzipSync(body), etag: `"${hash}-gzip"` };
        onGzip?.();
      }
      return gzipped;
    },
    bytes: () => body.length + (gzipped?.body.length ?? 0),
  };
}

/**
 * The topology a caller may see: the cells it may read, their components, and
 * the calls whose both ends are in those cells (or come from the gateway). A
 * call between a readable and an unreadable cell reveals the unreadable
 * cell's policy, so it is left out too.
 */
export function visibleTopology(base: TopologyBase, readable: (cellRef: string) => boolean): TopologyBase {
  const cells = base.cells.filter(c => readable(c.entityRef));
  if (cells.length === base.cells.length) return base;
  const components = base.components.filter(c => readable(c.cell));
  const shown = new Set(components.map(c => c.entityRef));
  const { scrapes: _all, ...rest } = base;
  return {
    ...rest,
    cells,
    components,
    edges: base.edges.filter(e => shown.has(e.to) && (e.from === 'gateway' || shown.has(e.from))),
    // An external or platform node is shown only when a shown component reaches it or is scraped by it.
    ...egressOf(
      base.egress.filter(e => e.from !== undefined && shown.has(e.from)),
      (base.scrapes ?? []).filter(s => shown.has(s.to)),
    ),
  };
}

/** The default bound of the served topology answers (`cells.caches.topologyAnswersMiB`). */
export const DEFAULT_TOPOLOGY_ANSWERS_MIB = 256;

/**
 * Topology answers of one environment and catalog snapshot, serialized once per
 * set of cells shown and their states: pollers that see the same thing share
 * one body and ETag.
 */
export class TopologyAnswers {
  constructor(private readonly cache: LRUCache<string, ServedTopology>, private readonly scope: string) {}

  answer(base: TopologyBase, states: { state: CellState; message: string }[]): ServedTopology {
    const key = JSON.stringify([this.scope, base.environment, base.cells.map(c => c.entityRef), states]);
    let served = this.cache.get(key);
    if (!served) {
      // Made gzipped later, it holds more: its size is counted again, if it is still kept.
      const made = serveTopology({ ...base, cells: base.cells.map((c, i) => ({ ...c, ...states[i] })) }, () => {
        if (this.cache.peek(key) === made) this.cache.set(key, made);
      });
      served = made;
      this.cache.set(key, served);
    }
    return served;
  }
}

/**
 * Serialized topology answers of every environment and catalog snapshot, in
 * one cache bounded in bytes (each answer's key, JSON and gzipped copy): the
 * least recently asked answer goes first, so old snapshots' answers leave as
 * new ones come. An answer larger than the whole bound is served but not kept.
 */
export class TopologyAnswerCache {
  private readonly cache: LRUCache<string, ServedTopology>;
  private scopes = 0;

  constructor(maxBytes: number) {
    this.cache = new LRUCache({ maxSize: maxBytes, sizeCalculation: (served, key) => Math.max(1, key.length + served.bytes()) });
  }

  /** The answers of one environment of one snapshot (and holders). */
  scope(): TopologyAnswers {
    return new TopologyAnswers(this.cache, `${this.scopes++}`);
  }

  /** Bytes held now. */
  get bytes(): number {
    return this.cache.calculatedSize;
  }
}
