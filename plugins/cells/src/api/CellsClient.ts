import { ResponseError } from '@backstage/errors';
import { DefaultApiClient } from '../schema/openapi';
import type {
  AttackListResponse,
  BlastRadiusBody,
  BlastRadiusResponse,
  CellDetail,
  CellListResponse,
  CellPlan,
  GetBundleReport,
  GetCellReport,
  GetPortfolio,
  GetHistory,
  GetRollout,
  GetTraffic,
  HistoryPage,
  ListAttacks,
  PortfolioResponse,
  PreviewBody,
  PreviewResponse,
  ReconcileResponse,
  ReconcileRun,
  RolloutResponse,
  SimulateBody,
  SimulateResponse,
  TopologyResponse,
  TrafficResponse,
  TypedResponse,
} from '../schema/openapi';

/** The evidence pack's formats (GET /cells/{namespace}/{name}/report). */
export type ReportFormat = NonNullable<GetCellReport['query']['format']>;

/** The parts of Backstage's discovery and fetch APIs the client uses. */
export interface CellsClientOptions {
  discoveryApi: { getBaseUrl(pluginId: string): Promise<string> };
  fetchApi: { fetch: typeof fetch };
}

/** `system:default/houston` -> the path parameters of `/cells/{namespace}/{name}`. */
export function cellParams(entityRef: string): { namespace: string; name: string } {
  const match = /^(?:system:)?([^:/]+)\/([^:/]+)$/i.exec(entityRef);
  if (!match) throw new Error(`Not a cell entity ref: ${JSON.stringify(entityRef)}; expected system:<namespace>/<name>`);
  return { namespace: match[1], name: match[2] };
}

/** `system:default/houston` -> `default/houston` (the path of GET /cells/{namespace}/{name}). */
export function cellPath(entityRef: string): string {
  const { namespace, name } = cellParams(entityRef);
  return `${encodeURIComponent(namespace)}/${encodeURIComponent(name)}`;
}

/** Query parameters without the unset and the empty ones (an empty value is no choice). */
function given<T extends object>(query: T): T {
  return Object.fromEntries(Object.entries(query).filter(([, value]) => value !== undefined && value !== '')) as T;
}

/** The `message` of the backend's `{ error: { name, message } }` answer, if it is one. */
async function backendMessage(response: Response): Promise<string | undefined> {
  try {
    const body = JSON.parse(await response.text());
    return typeof body?.error?.message === 'string' ? body.error.message : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Calls the cells backend through the client generated from its OpenAPI
 * document (src/schema/openapi, `npm run openapi:generate`): the requests and
 * answers are the contract's types. This adds what the generated client
 * leaves to its user: a non-2xx answer throws a ResponseError carrying the
 * backend's own message, the topology is polled with its ETag, and manifests
 * can be asked for as YAML.
 */
export class CellsClient {
  private readonly api: DefaultApiClient;
  /** The last topology per query with its ETag: the page polls it, and most answers are "not modified". */
  private readonly topologies = new Map<string, { etag: string; value: TopologyResponse }>();

  constructor(private readonly options: CellsClientOptions) {
    this.api = new DefaultApiClient(options);
  }

  /** The generated client, sending these headers too (the generated one sends only its own). */
  private withHeaders(headers: Record<string, string>): DefaultApiClient {
    const { fetchApi, discoveryApi } = this.options;
    return new DefaultApiClient({
      discoveryApi,
      fetchApi: { fetch: (input, init) => fetchApi.fetch(input, { ...init, headers: { ...(init?.headers as Record<string, string>), ...headers } }) },
    });
  }

  private async ok<T>(request: Promise<TypedResponse<T>>): Promise<TypedResponse<T>> {
    const response = await request;
    if (!response.ok && response.status !== 304) {
      const said = await backendMessage(response.clone() as Response);
      const error = await ResponseError.fromResponse(response as Response);
      // ResponseError's own message is the status line and raw body; the person needs what the backend said.
      if (said) error.message = `${said} (${response.status} ${response.statusText})`.trim();
      throw error;
    }
    return response;
  }

  private async json<T>(request: Promise<TypedResponse<T>>): Promise<T> {
    return (await this.ok(request)).json();
  }

  listCells(): Promise<CellListResponse> {
    return this.json(this.api.listCells({}));
  }

  getCell(entityRef: string): Promise<CellDetail> {
    return this.json(this.api.getCell({ path: cellParams(entityRef) }));
  }

  /** The cell's objects for one environment as YAML (all kinds, one document each). */
  async getManifestsYaml(entityRef: string, environment: string): Promise<string> {
    const response = await this.ok(this.withHeaders({ Accept: 'application/yaml' }).getManifests({ path: cellParams(entityRef), query: { environment } }));
    return response.text();
  }

  /**
   * The cell's evidence pack as a file (docs/evidence.md): the bytes and the
   * name the backend gives it (`<namespace>.<cell>[.<environment>].evidence.<format>`).
   * Every configured environment of the cell without `environment`.
   */
  async getReport(entityRef: string, format: ReportFormat, environment?: string): Promise<{ blob: Blob; filename: string }> {
    const { namespace, name } = cellParams(entityRef);
    const response = await this.ok(this.api.getCellReport({ path: { namespace, name }, query: given({ format, environment }) }));
    const named = /filename="([^"]+)"/.exec(response.headers.get('Content-Disposition') ?? '');
    const filename = named?.[1] ?? [namespace, name, ...(environment ? [environment] : []), 'evidence', format].join('.');
    return { blob: await (response as Response).blob(), filename };
  }

  /**
   * The evidence bundle of every cell of an owner (`{ owner }`) or of all
   * cells (`{ all: true }`) as a file, named as the backend names it.
   */
  async getBundleReport(scope: { owner: string } | { all: true }, format: ReportFormat, environment?: string): Promise<{ blob: Blob; filename: string }> {
    const query: GetBundleReport['query'] = given({ ...scope, format, environment });
    const response = await this.ok(this.api.getBundleReport({ query }));
    const named = /filename="([^"]+)"/.exec(response.headers.get('Content-Disposition') ?? '');
    const filename = named?.[1] ?? ['owner' in scope ? scope.owner.replace(/[:/]/g, '-') : 'all', 'evidence', format].join('.');
    return { blob: await (response as Response).blob(), filename };
  }

  /** A row per readable cell and environment (docs/evidence.md, "Portfolio"). */
  getPortfolio(query: GetPortfolio['query'] = {}): Promise<PortfolioResponse> {
    return this.json(this.api.getPortfolio({ query: given(query) }));
  }

  getPlan(entityRef: string, environment: string): Promise<CellPlan> {
    return this.json(this.api.getPlan({ path: cellParams(entityRef), query: { environment } }));
  }

  reconcile(entityRef?: string): Promise<ReconcileResponse> {
    return this.json(this.api.reconcile({ body: entityRef ? { entityRef } : {} }));
  }

  getRun(runId: string): Promise<ReconcileRun> {
    return this.json(this.api.getRun({ path: { runId } }));
  }

  getHistory(query: GetHistory['query']): Promise<HistoryPage> {
    return this.json(this.api.getHistory({ query: given(query) }));
  }

  simulate(body: SimulateBody): Promise<SimulateResponse> {
    return this.json(this.api.simulate({ body }));
  }

  /**
   * The same object as last time when the backend answers 304 to its ETag
   * (megabytes of JSON at thousands of components are neither sent nor parsed
   * again, and the page sees nothing changed).
   */
  async getTopology(environment?: string): Promise<TopologyResponse> {
    const query = given({ environment });
    const key = JSON.stringify(query);
    const known = this.topologies.get(key);
    const client = known ? this.withHeaders({ 'If-None-Match': known.etag }) : this.api;
    const response = await this.ok(client.getTopology({ query }));
    if (response.status === 304 && known) return known.value;
    const value = await response.json();
    const etag = response.headers.get('ETag');
    if (etag) this.topologies.set(key, { etag, value });
    else this.topologies.delete(key);
    return value;
  }

  blastRadius(body: BlastRadiusBody): Promise<BlastRadiusResponse> {
    return this.json(this.api.blastRadius({ body }));
  }

  /** Rogue-pod attack presets, narrowed to a rogue pod's cell and a target, at most `limit` (the backend's default: 500). */
  listAttacks(query: ListAttacks['query'] = {}): Promise<AttackListResponse> {
    return this.json(this.api.listAttacks({ query: given(query) }));
  }

  /** Observed calls of an environment over a window, classified against the catalog (404 when no flow source is configured). */
  getTraffic(query: GetTraffic['query'] = {}): Promise<TrafficResponse> {
    return this.json(this.api.getTraffic({ query: given(query) }));
  }

  /** Per cell, the observed calls its enforce-mode manifests would deny, with layer, policy and reason (404 when no flow source is configured). */
  getRollout(query: GetRollout['query'] = {}): Promise<RolloutResponse> {
    return this.json(this.api.getRollout({ query: given(query) }));
  }

  /** What new or edited entities would produce (objects per touched cell, access diff); writes nothing. */
  preview(body: PreviewBody): Promise<PreviewResponse> {
    return this.json(this.api.preview({ body }));
  }
}
