import { ResponseError } from '@backstage/errors';
import type {
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
  constructor(private readonly options: CellsClientOptions) {}

  private async request(path: string, init?: RequestInit): Promise<Response> {
    const base = await this.options.discoveryApi.getBaseUrl('cells');
    const response = await this.options.fetchApi.fetch(`${base}${path}`, init);
    if (!response.ok) {
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

  getTopology(environment?: string): Promise<TopologyResponse> {
    return this.json(`/topology${query({ environment })}`);
  }

  blastRadius(body: BlastRadiusBody): Promise<BlastRadiusResponse> {
    return this.post('/blast-radius', body);
  }

  listAttacks(environment?: string): Promise<AttackListResponse> {
    return this.json(`/attacks${query({ environment })}`);
  }

  preview(body: PreviewBody): Promise<PreviewResponse> {
    return this.post('/preview', body);
  }
}
