import { ResponseError } from '@backstage/errors';
import type {
  AttackListQuery,
  AttackListResponse,
  BlastRadiusBody,
  BlastRadiusResponse,
  CellDetail,
  CellListResponse,
  CellPlan,
  HistoryPage,
  PreviewBody,
  PreviewResponse,
  ReconcileRun,
  SimulateBody,
  SimulateResponse,
  TopologyResponse,
} from '@cellplane/cells-common';
import type { CellsApi } from './CellsApi';

/** The parts of Backstage's discovery and fetch APIs the client uses. */
export interface CellsClientOptions {
  discoveryApi: { getBaseUrl(pluginId: string): Promise<string> };
  fetchApi: { fetch: typeof fetch };
}

/** `system:default/houston` -> `default/houston` (the path of GET /cells/{namespace}/{name}). */
export function cellPath(entityRef: string): string {
  const match = /^(?:system:)?([^:/]+)\/([^:/]+)$/i.exec(entityRef);
  if (!match) throw new Error(`Not a cell entity ref: ${JSON.stringify(entityRef)}; expected system:<namespace>/<name>`);
  return `${encodeURIComponent(match[1])}/${encodeURIComponent(match[2])}`;
}

function query(params: Record<string, string | number | undefined>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value !== undefined && value !== '') search.set(key, String(value));
  const text = search.toString();
  return text ? `?${text}` : '';
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

/** Calls the cells backend; a non-2xx answer throws a ResponseError carrying the backend's own message. */
export class CellsClient implements CellsApi {
  /** The last topology per query with its ETag: the page polls it, and most answers are "not modified". */
  private readonly topologies = new Map<string, { etag: string; value: TopologyResponse }>();

  constructor(private readonly options: CellsClientOptions) {}

  private async request(path: string, init?: RequestInit): Promise<Response> {
    const base = await this.options.discoveryApi.getBaseUrl('cells');
    const response = await this.options.fetchApi.fetch(`${base}${path}`, init);
    if (!response.ok && response.status !== 304) {
      const said = await backendMessage(response.clone());
      const error = await ResponseError.fromResponse(response);
      // ResponseError's own message is the status line and raw body; the person needs what the backend said.
      if (said) error.message = `${said} (${response.status} ${response.statusText})`.trim();
      throw error;
    }
    return response;
  }

  private async json<T>(path: string, init?: RequestInit): Promise<T> {
    return (await this.request(path, init)).json() as Promise<T>;
  }

  private post<T>(path: string, body: unknown): Promise<T> {
    return this.json<T>(path, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  }

  listCells(): Promise<CellListResponse> {
    return this.json('/cells');
  }

  getCell(entityRef: string): Promise<CellDetail> {
    return this.json(`/cells/${cellPath(entityRef)}`);
  }

  async getManifestsYaml(entityRef: string, environment: string): Promise<string> {
    const response = await this.request(`/cells/${cellPath(entityRef)}/manifests${query({ environment })}`, {
      headers: { Accept: 'application/yaml' },
    });
    return response.text();
  }

  getPlan(entityRef: string, environment: string): Promise<CellPlan> {
    return this.json(`/cells/${cellPath(entityRef)}/plan${query({ environment })}`);
  }

  reconcile(entityRef?: string): Promise<{ runId: string }> {
    return this.post('/reconcile', entityRef ? { entityRef } : {});
  }

  getRun(runId: string): Promise<ReconcileRun> {
    return this.json(`/runs/${encodeURIComponent(runId)}`);
  }

  getHistory(options: { entityRef?: string; cursor?: string; limit?: number }): Promise<HistoryPage> {
    return this.json(`/history${query(options)}`);
  }

  simulate(body: SimulateBody): Promise<SimulateResponse> {
    return this.post('/simulate', body);
  }

  /**
   * The same object as last time when the backend answers 304 to its ETag
   * (megabytes of JSON at thousands of components are neither sent nor parsed
   * again, and the page sees nothing changed).
   */
  async getTopology(environment?: string): Promise<TopologyResponse> {
    const path = `/topology${query({ environment })}`;
    const known = this.topologies.get(path);
    const response = await this.request(path, known ? { headers: { 'If-None-Match': known.etag } } : undefined);
    if (response.status === 304 && known) return known.value;
    const value = (await response.json()) as TopologyResponse;
    const etag = response.headers.get('ETag');
    if (etag) this.topologies.set(path, { etag, value });
    else this.topologies.delete(path);
    return value;
  }

  blastRadius(body: BlastRadiusBody): Promise<BlastRadiusResponse> {
    return this.post('/blast-radius', body);
  }

  listAttacks(options: AttackListQuery = {}): Promise<AttackListResponse> {
    const { environment, rogue, target, limit } = options;
    return this.json(`/attacks${query({ environment, rogue, target, limit })}`);
  }

  preview(body: PreviewBody): Promise<PreviewResponse> {
    return this.post('/preview', body);
  }
}
