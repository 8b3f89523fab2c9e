import { Command } from 'commander';
import fs from 'node:fs';
import {
  CellModel,
  CellsSettings,
  createSimulation,
  parseToken,
  RequestToken,
  simulateEgress,
  simulatePlatformCall,
  simulateRequest,
  simulateScrape,
  SimulatedCaller,
  TokenError,
} from '@cellplane/cells-common';
import { loadCatalog } from '../lib/catalog';
import { InputError } from '../lib/readDocuments';
import { Output } from '../lib/output';
import { environmentsToCheck, printResult } from '../lib/results';

interface SimulateOptions {
  env?: string;
  config?: string[];
  from?: string;
  rogue?: string;
  gateway?: boolean;
  fromPlatform?: string;
  to?: string;
  toPlatform?: string;
  toHost?: string;
  toIp?: string;
  port?: string;
  protocol?: string;
  sni?: string;
  endpoint?: string;
  method?: string;
  path?: string;
  direct?: boolean;
  jwt?: string;
  json?: boolean;
}

/** The token of `--jwt <file>`: a JSON object of claims, or a JWT whose payload is decoded (its signature is not checked). */
export function readToken(file: string): RequestToken {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new InputError(`--jwt ${file}: ${e instanceof Error ? e.message : e}`);
  }
  try {
    return parseToken(text);
  } catch (e) {
    if (e instanceof TokenError) throw new InputError(`--jwt ${file}: ${e.message}`);
    throw e;
  }
}

/** `<cell>/<component>` to a component ref, or a clear error. */
export function componentRef(model: CellModel, value: string, flag: string): string {
  const [cellName, name, extra] = value.split('/');
  if (!cellName || !name || extra !== undefined) throw new InputError(`${flag} ${value}: write <cell>/<component>, e.g. orion/comms-system`);
  const cell = model.cells.find(c => c.name === cellName);
  if (!cell) throw new InputError(`${flag} ${value}: no cell ${cellName}; cells: ${model.cells.map(c => c.name).join(', ')}`);
  const component = model.components.find(c => c.cell === cell.ref && c.name === name);
  if (!component) {
    const names = model.components.filter(c => c.cell === cell.ref).map(c => c.name);
    throw new InputError(`${flag} ${value}: cell ${cellName} has no component ${name}; it has: ${names.join(', ')}`);
  }
  return component.ref;
}

export function cellRef(model: CellModel, value: string, flag: string): string {
  const cell = model.cells.find(c => c.name === value);
  if (!cell) throw new InputError(`${flag} ${value}: no cell ${value}; cells: ${model.cells.map(c => c.name).join(', ')}`);
  return cell.ref;
}

export function registerSimulate(program: Command, output: Output): void {
  program
    .command('simulate')
    .description('compile the catalog and evaluate one request through L3/L4, mTLS and L7')
    .argument('<paths...>', 'catalog YAML files or directories')
    .option('--env <name>', 'environment (default: the first configured)')
    .option('--config <file>', 'app-config file with a `cells:` section (repeatable)', (v: string, acc: string[] = []) => [...acc, v])
    .option('--from <cell/component>', 'the calling component')
    .option('--rogue <cell>', 'a pod with its own service account inside this cell (the adversary)')
    .option('--gateway', 'the external gateway')
    .option('--from-platform <name>', 'a platform service that scrapes components (cells.platform.services), with --to')
    .option('--to <cell/component>', 'the called component')
    .option('--to-platform <name>', 'a platform service components call (cells.platform.services), with --port')
    .option('--to-host <host>', 'a host outside the cluster (with --port)')
    .option('--to-ip <address>', 'an address outside the cluster (with --port; with --to-host: the address the host resolved to)')
    .option('--port <port>', 'the port outside the cluster')
    .option('--protocol <protocol>', 'how the caller talks to the host: TLS (default for a host), HTTP or TCP')
    .option('--sni <name>', 'the TLS server name sent, when not the host')
    .option('--endpoint <name>', "the callee's endpoint (needed when it serves several)")
    .option('--method <method>', 'HTTP method')
    .option('--path <path>', 'HTTP path')
    .option('--direct', "address the callee's pod instead of its Service")
    .option('--jwt <file>', 'with --gateway: the bearer token, as a JSON object of claims or a JWT (only its payload is read; the signature is not checked)')
    .option('--json', 'print JSON')
    .action((paths: string[], options: SimulateOptions) => {
      const callers = [options.from, options.rogue, options.gateway, options.fromPlatform].filter(Boolean).length;
      if (callers !== 1) throw new InputError('give exactly one of --from <cell>/<component>, --rogue <cell>, --gateway, --from-platform <name>');
      if (options.fromPlatform && options.to === undefined) throw new InputError('--from-platform scrapes a component: give --to <cell>/<component>');
      const outside = options.toHost !== undefined || options.toIp !== undefined;
      const targets = [outside, options.to !== undefined, options.toPlatform !== undefined].filter(Boolean).length;
      if (targets !== 1)
        throw new InputError('give --to <cell>/<component>, --to-host <host> / --to-ip <address> with --port, or --to-platform <name> with --port');
      if (options.jwt !== undefined && !options.gateway) throw new InputError('--jwt: only a request from --gateway carries a token here');
      const token = options.jwt !== undefined ? readToken(options.jwt) : undefined;
      const { model, settings } = loadCatalog(paths, options.config);
      const [environment] = environmentsToCheck(settings, options.env);
      let from: SimulatedCaller = { gateway: true };
      if (options.from) from = { component: componentRef(model, options.from, '--from') };
      else if (options.rogue) from = { rogue: cellRef(model, options.rogue, '--rogue') };
      const caller = options.from ?? (options.rogue ? `a rogue pod in ${options.rogue}` : 'the external gateway');
      if (options.fromPlatform || options.toPlatform) {
        simulatePlatform(output, options, model, settings, environment, from, caller);
        return;
      }
      if (outside) {
        const port = Number(options.port);
        if (!Number.isInteger(port) || port < 1 || port > 65535)
          throw new InputError(`--port ${options.port ?? '(missing)'}: give the port outside the cluster, 1-65535`);
        const protocol = (options.protocol?.toUpperCase() ?? (options.toHost ? 'TLS' : 'TCP')) as 'TLS' | 'HTTP' | 'TCP';
        if (!['TLS', 'HTTP', 'TCP'].includes(protocol)) throw new InputError(`--protocol ${options.protocol}: use TLS, HTTP or TCP`);
        const result = simulateEgress(createSimulation(model, settings, environment), from, {
          ...(options.toHost ? { host: options.toHost.toLowerCase() } : {}),
          ...(options.toIp ? { ip: options.toIp } : {}),
          port,
          protocol,
          ...(options.method ? { method: options.method.toUpperCase() } : {}),
          ...(options.path ? { path: options.path } : {}),
          ...(options.sni ? { sni: options.sni } : {}),
        });
        const where = [options.toHost, options.toIp].filter(Boolean).join(' at ');
        const http = [options.method?.toUpperCase(), options.path].filter(Boolean).join(' ');
        const note = result.impersonating ? `the rogue pod wore ${result.impersonating}'s labels` : undefined;
        printResult(output, result, `${caller} -> ${where}:${port} (${protocol}${http ? ` ${http}` : ''}) (${environment})`, options.json, note);
        return;
      }
      const result = simulateRequest(createSimulation(model, settings, environment), {
        from,
        to: componentRef(model, options.to!, '--to'),
        endpoint: options.endpoint,
        method: options.method?.toUpperCase(),
        path: options.path,
        direct: options.direct,
        ...(token ? { token } : {}),
      });
      const http = [options.method?.toUpperCase(), options.path].filter(Boolean).join(' ');
      const note = result.impersonating ? `the rogue pod wore ${result.impersonating}'s labels` : undefined;
      printResult(output, result, `${caller} -> ${options.to}${http ? ` ${http}` : ''} (${environment})`, options.json, note);
    });
}

/** `--from-platform <scraper> --to <cell/component>` and `--to-platform <name> --port <p>`. */
function simulatePlatform(
  output: Output,
  options: SimulateOptions,
  model: CellModel,
  settings: CellsSettings,
  environment: string,
  from: SimulatedCaller,
  caller: string,
): void {
  const port = options.port === undefined ? undefined : Number(options.port);
  if (port !== undefined && (!Number.isInteger(port) || port < 1 || port > 65535)) throw new InputError(`--port ${options.port}: give a port, 1-65535`);
  const sim = createSimulation(model, settings, environment);
  if (options.fromPlatform) {
    const method = options.method?.toUpperCase();
    const result = simulateScrape(sim, options.fromPlatform, componentRef(model, options.to!, '--to'), { port, method, path: options.path });
    const http = [method ?? 'GET', options.path].filter(Boolean).join(' ');
    printResult(output, result, `platform:${options.fromPlatform} -> ${options.to} ${http}${port ? ` port ${port}` : ''} (${environment})`, options.json);
    return;
  }
  if (port === undefined) throw new InputError('--to-platform needs --port <port>');
  const result = simulatePlatformCall(sim, from, options.toPlatform!, port);
  const note = result.impersonating ? `the rogue pod wore ${result.impersonating}'s labels` : undefined;
  printResult(output, result, `${caller} -> platform:${options.toPlatform}:${port} (${environment})`, options.json, note);
}
