import { Command, Option } from 'commander';
import {
  analyzeConnlist,
  analyzeExternalConnlist,
  analyzeMatrix,
  analyzeRequest,
  formatAnalyzerProblem,
  formatExternalConnection,
  formatGrant,
  loadCluster,
  ClusterModel,
} from '@cellplane/cells-common';
import { InputError, readDocuments } from '../lib/readDocuments';
import { Output, processOutput } from '../lib/output';
import { printResult } from '../lib/results';

interface AnalyzeOptions {
  from?: string;
  to?: string;
  port?: string;
  protocol?: 'TCP' | 'UDP' | 'SCTP';
  method?: string;
  path?: string;
  host?: string;
  addressing?: 'service' | 'pod';
  matrix?: boolean;
  connlist?: boolean;
  json?: boolean;
  trustDomain?: string;
  rootNamespace?: string;
}

/** Reads manifests from files/dirs into the analyzer's model; malformed input is an InputError naming file and field. */
export function loadManifests(paths: string[], options: { trustDomain?: string; rootNamespace?: string } = {}): ClusterModel {
  const documents = readDocuments(paths);
  const model = loadCluster(
    documents.map(d => d.value),
    { sources: documents.map(d => `${d.file} (document ${d.index + 1})`), trustDomain: options.trustDomain, rootNamespace: options.rootNamespace },
  );
  if (model.problems.length > 0) {
    throw new InputError(`the manifests have ${model.problems.length} problem(s):\n${model.problems.map(p => `  ${formatAnalyzerProblem(p)}`).join('\n')}`);
  }
  return model;
}

function parsePort(value: string | undefined): number | string {
  if (value === undefined) throw new InputError('--port is required');
  if (/^\d+$/.test(value)) {
    const n = Number(value);
    if (n < 1 || n > 65535) throw new InputError(`--port ${value}: not a port number (1-65535)`);
    return n;
  }
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(value)) throw new InputError(`--port ${value}: not a port number or port name`);
  return value;
}

function requireEndpoint(value: string | undefined, flag: string): string {
  if (!value) throw new InputError(`${flag} <namespace>/<name> is required (or use --matrix or --connlist)`);
  return value;
}

/**
 * `--connlist`: every pair's allowed ports, protocols and HTTP operations, in
 * one run over port classes; then what each workload may reach outside the
 * cluster (the hosts and networks the manifests name), when they name any.
 */
function printConnlist(output: Output, model: ClusterModel, options: AnalyzeOptions): void {
  const result = analyzeConnlist(model, { addressing: options.addressing });
  const external = analyzeExternalConnlist(model);
  if (options.json) {
    output.stdout(`${JSON.stringify({ connections: result.connections, external: external.connections }, null, 2)}\n`);
    return;
  }
  const lines = result.connections.map(c => `${c.from} -> ${c.to}: ${c.allowed.map(formatGrant).join('; ')}`);
  const summary = `${result.connections.length} of ${result.pairs} pairs have a connection (${result.portClasses.length} port classes evaluated); pairs not listed have none`;
  const outside = external.connections.map(formatExternalConnection);
  const outsideSummary = external.destinations.length
    ? [
        `${external.connections.length} connection(s) leave the cluster, to ${external.destinations.length} destination(s) the manifests name (ServiceEntry hosts, toFQDNs, ipBlocks, toCIDRSet, toEntities world); other addresses are not listed`,
      ]
    : [];
  output.stdout(`${[...lines, summary, ...outside, ...outsideSummary].join('\n')}\n`);
}

/** `cellplane analyze`: one request through L3/L4, mTLS and L7, the whole matrix, or every connection. */
export function registerAnalyze(program: Command, output: Output = processOutput): void {
  program
    .command('analyze')
    .description(
      "judge what manifests allow: one request through L3/L4, mTLS and L7, every workload pair on a port (--matrix), or every pair's allowed ports and operations (--connlist)",
    )
    .argument('<paths...>', 'manifest YAML files or directories')
    .option('--from <ns/name>', 'calling workload (or an IP address outside the cluster)')
    .option('--to <ns/name>', 'called workload or Service (service:<ns>/<name> to force the Service)')
    .option('--port <port>', 'destination port: number or name')
    .addOption(new Option('--protocol <protocol>', 'transport protocol').choices(['TCP', 'UDP', 'SCTP']).default('TCP'))
    .option('--method <method>', 'HTTP method, for L7 rules')
    .option('--path <path>', 'HTTP path, for L7 rules')
    .option('--host <host>', 'HTTP host, for L7 rules')
    .addOption(new Option('--addressing <how>', 'service: through the Service (and its waypoint); pod: the pod IP directly').choices(['service', 'pod']))
    .option('--matrix', 'every ordered workload pair for --port')
    .option('--connlist', 'every ordered workload pair with the ports, protocols and HTTP operations it may use')
    .option('--json', 'print JSON')
    .option('--trust-domain <domain>', 'SPIFFE trust domain', 'cluster.local')
    .option('--root-namespace <ns>', "Istio's root namespace", 'istio-system')
    .action((paths: string[], options: AnalyzeOptions) => {
      if (options.connlist) {
        const given = (['from', 'to', 'port', 'method', 'path', 'host', 'matrix'] as const).filter(k => options[k] !== undefined);
        if (given.length > 0) throw new InputError(`--connlist lists every pair, port and protocol; drop ${given.map(k => `--${k}`).join(', ')}`);
        printConnlist(output, loadManifests(paths, options), options);
        return;
      }
      const port = parsePort(options.port);
      if (!options.matrix) {
        requireEndpoint(options.from, '--from');
        requireEndpoint(options.to, '--to');
      }
      const model = loadManifests(paths, options);
      const common = { port, protocol: options.protocol, method: options.method, path: options.path, host: options.host, addressing: options.addressing };
      if (options.matrix) {
        const matrix = analyzeMatrix(model, common);
        if (options.json) {
          output.stdout(`${JSON.stringify(matrix, null, 2)}\n`);
          return;
        }
        const allowed = matrix.pairs.filter(p => p.allowed).length;
        const lines = matrix.pairs.map(p => `${p.allowed ? 'allow' : 'deny '}  ${p.from} -> ${p.to}`);
        output.stdout(`${lines.join('\n')}\n${allowed} of ${matrix.pairs.length} pairs allowed on port ${port}/${options.protocol}\n`);
        return;
      }
      const result = analyzeRequest(model, { from: options.from!, to: options.to!, ...common });
      const http = options.method || options.path ? ` ${options.method ?? 'any method'} ${options.path ?? 'any path'}` : '';
      printResult(output, result, `${options.from} -> ${options.to} port ${port}/${options.protocol}${http}`, options.json);
    });
}
