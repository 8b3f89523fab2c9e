import https from 'node:https';
import http from 'node:http';
import { KubeConfig } from '@kubernetes/client-node';

export interface KubeResponse {
  status: number;
  body: any;
}

/** Counts of the requests one client sent, by HTTP method. */
export type RequestCounts = Record<string, number>;

const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** Errors of the connection, not of the API: worth a retry once the server is back. */
export function isConnectionError(e: unknown): boolean {
  const code = (e as { code?: string } | undefined)?.code;
  return !!code && ['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNABORTED'].includes(code);
}

export interface RetryOptions {
  /** Attempts in all, the first included. */
  attempts: number;
  /** Delay before the second attempt; doubles each time. */
  initialDelayMs: number;
}

/**
 * Plain JSON over the kubeconfig's connection. Server-side apply bodies go out
 * exactly as compiled: client-node's typed serializer drops fields of
 * built-in kinds it does not model, so it is not used for writes.
 */
export class KubeHttp {
  readonly counts: RequestCounts = {};

  constructor(private readonly kubeconfig: KubeConfig, private readonly retry: RetryOptions = { attempts: 4, initialDelayMs: 250 }) {}

  writeCount(): number {
    return Object.entries(this.counts).reduce((n, [m, c]) => (WRITE_METHODS.has(m) ? n + c : n), 0);
  }

  /** One request; connection errors retry with exponential backoff, then throw. */
  async request(method: string, apiPath: string, body?: unknown, contentType = 'application/json', signal?: AbortSignal): Promise<KubeResponse> {
    let delay = this.retry.initialDelayMs;
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.once(method, apiPath, body, contentType);
      } catch (e) {
        if (!isConnectionError(e) || attempt >= this.retry.attempts || signal?.aborted) throw e;
        const wait = delay;
        await new Promise(r => setTimeout(r, wait));
        delay *= 2;
      }
    }
  }

  private async once(method: string, apiPath: string, body: unknown, contentType: string): Promise<KubeResponse> {
    const cluster = this.kubeconfig.getCurrentCluster();
    if (!cluster) throw new Error('the kubeconfig has no current cluster');
    const options: https.RequestOptions = {
      method,
      headers: { Accept: 'application/json' },
      timeout: 30_000,
    };
    await this.kubeconfig.applyToHTTPSOptions(options);
    const payload = body === undefined ? undefined : JSON.stringify(body);
    if (payload !== undefined) (options.headers as Record<string, string>)['Content-Type'] = contentType;
    this.counts[method] = (this.counts[method] ?? 0) + 1;
    const url = new URL(apiPath, cluster.server);
    const transport = url.protocol === 'http:' ? http : https;
    return new Promise((resolve, reject) => {
      const req = transport.request(url, options, res => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', chunk => (text += chunk));
        res.on('end', () => {
          let parsed: unknown = text;
          try {
            parsed = text ? JSON.parse(text) : undefined;
          } catch {
            // Plain text, e.g. "404 page not found".
          }
          resolve({ status: res.statusCode ?? 0, body: parsed });
        });
        res.on('error', reject);
      });
      req.on('timeout', () =>
        req.destroy(
          Object.assign(new Error(`timed out: ${method} ${apiPath}`), {
            code: 'ETIMEDOUT',
          }),
        ),
      );
      req.on('error', reject);
      req.end(payload);
    });
  }
}
