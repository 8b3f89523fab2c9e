import https from 'node:https';
import { KubeConfig } from '@kubernetes/client-node';

/**
 * Plain JSON over the kubeconfig's connection, for tests that must see exactly
 * what the API server stores: no typed models between the test and the wire.
 */
export interface RawResponse {
  status: number;
  body: any;
  /** Warning headers, e.g. about fields the server dropped. */
  warnings: string[];
}

export interface KubeObjectLike {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; [key: string]: unknown };
  [key: string]: unknown;
}

/** One HTTPS request with the given TLS and header options; the body parsed as JSON when it is JSON. */
export function httpsRequest(url: URL | string, options: https.RequestOptions, payload?: string): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const request = https.request(url, { timeout: 30_000, ...options }, response => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', chunk => (text += chunk));
      response.on('end', () => {
        // A string, or a list when the server sent several Warning headers.
        const warning = response.headers.warning;
        let warnings: string[] = [];
        if (Array.isArray(warning)) warnings = warning;
        else if (warning) warnings = [warning];
        resolve({
          status: response.statusCode ?? 0,
          body: parseBody(text),
          warnings: warnings.map(w => w.replace(/^299 - /, '')),
        });
      });
    });
    request.on('timeout', () => request.destroy(new Error(`timed out: ${options.method ?? 'GET'} ${url}`)));
    request.on('error', reject);
    request.end(payload);
  });
}

export async function rawRequest(
  kubeconfig: KubeConfig,
  method: string,
  apiPath: string,
  body?: unknown,
  contentType = 'application/json',
): Promise<RawResponse> {
  const cluster = kubeconfig.getCurrentCluster();
  if (!cluster) throw new Error('kubeconfig has no current cluster');
  const options: https.RequestOptions = { method, headers: { Accept: 'application/json' } };
  await kubeconfig.applyToHTTPSOptions(options);
  const payload = body === undefined ? undefined : JSON.stringify(body);
  if (payload !== undefined) (options.headers as Record<string, string>)['Content-Type'] = contentType;
  return httpsRequest(new URL(apiPath, cluster.server), options, payload);
}

/** JSON when it is JSON (the API's Status and objects); plain text otherwise (e.g. "404 page not found"). */
function parseBody(text: string): any {
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

const discoveryCache = new WeakMap<KubeConfig, Map<string, Promise<any>>>();

/** The REST path of an object (its collection path when it has no name), found by discovery. */
export async function objectPath(kubeconfig: KubeConfig, object: Pick<KubeObjectLike, 'apiVersion' | 'kind' | 'metadata'>): Promise<string> {
  const groupVersionPath = object.apiVersion.includes('/') ? `/apis/${object.apiVersion}` : `/api/${object.apiVersion}`;
  let cache = discoveryCache.get(kubeconfig);
  if (!cache) discoveryCache.set(kubeconfig, (cache = new Map()));
  if (!cache.has(groupVersionPath)) {
    cache.set(
      groupVersionPath,
      rawRequest(kubeconfig, 'GET', groupVersionPath).then(r => {
        if (r.status !== 200) throw new Error(`discovery of ${object.apiVersion} failed: ${r.status} ${r.body?.message ?? ''}`);
        return r.body;
      }),
    );
  }
  const resources = (await cache.get(groupVersionPath)!).resources as { name: string; kind: string; namespaced: boolean }[];
  const resource = resources.find(r => r.kind === object.kind && !r.name.includes('/'));
  if (!resource) throw new Error(`the API server does not serve ${object.kind} in ${object.apiVersion}`);
  const namespace = resource.namespaced ? `/namespaces/${object.metadata.namespace ?? 'default'}` : '';
  const name = object.metadata.name ? `/${object.metadata.name}` : '';
  return `${groupVersionPath}${namespace}/${resource.name}${name}`;
}

/**
 * Server-side apply of one object with strict field validation: a field the
 * schema does not know fails the request instead of being dropped quietly.
 */
export async function serverSideApply(
  kubeconfig: KubeConfig,
  object: KubeObjectLike,
  options: { fieldManager: string; force?: boolean },
): Promise<RawResponse> {
  const query = new URLSearchParams({ fieldManager: options.fieldManager, fieldValidation: 'Strict' });
  if (options.force) query.set('force', 'true');
  return rawRequest(kubeconfig, 'PATCH', `${await objectPath(kubeconfig, object)}?${query}`, object, 'application/apply-patch+yaml');
}
