import {
  analyzeConnlist,
  analyzeMatrix,
  analyzeRequest,
  buildCellModel,
  createSimulation,
  DEFAULT_SETTINGS,
  loadCluster,
  verifySimulation,
} from '@cellplane/cells-common';
import { syntheticCatalog } from './synthetic';

/**
 * Without arguments: 1,000 workloads in 50 namespaces with 200 policies
 * (NetworkPolicies and AuthorizationPolicies): the full matrix on one port,
 * every connection on every port (connlist), and single-query latency.
 * `verify <components> [egress]`: `cellplane verify`'s check of a synthetic
 * catalog (bench/synthetic.ts) compiled and judged by the analyzer; with
 * `egress`, every tenth component declares egress and verify also checks every
 * declared host and network from every component and rogue pod.
 * Prints one JSON line with a Markdown table (row) in `markdown`.
 */
const ms = (a: bigint, b: bigint) => Number(b - a) / 1e6;
const peakRssMiB = () => Math.round(process.resourceUsage().maxRSS / 1024);

function clusterManifests(): unknown[] {
  const WORKLOADS = 1000;
  const NAMESPACES = 50;
  const perNs = WORKLOADS / NAMESPACES;
  const manifests: unknown[] = [];
  for (let n = 0; n < NAMESPACES; n++) {
    const ns = `ns-${n}`;
    manifests.push({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns, labels: { 'istio.io/dataplane-mode': 'ambient', team: `t${n % 5}` } } });
    for (let w = 0; w < perNs; w++) {
      manifests.push({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: `w-${w}`, namespace: ns, labels: { app: `w-${w}`, tier: w % 2 ? 'api' : 'web' } },
        spec: { serviceAccountName: `w-${w}`, containers: [{ name: 'c', image: 'x', ports: [{ name: 'http', containerPort: 8080 }] }] },
      });
    }
    // 2 NetworkPolicies and 2 AuthorizationPolicies per namespace: 200 policies.
    manifests.push({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'deny', namespace: ns },
      spec: { podSelector: {}, policyTypes: ['Ingress'] },
    });
    manifests.push({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'api', namespace: ns },
      spec: {
        podSelector: { matchLabels: { tier: 'api' } },
        policyTypes: ['Ingress', 'Egress'],
        ingress: [
          {
            from: [{ namespaceSelector: { matchLabels: { team: `t${n % 5}` } }, podSelector: { matchLabels: { tier: 'web' } } }],
            ports: [{ port: 15008 }, { port: 'http' }],
          },
        ],
        egress: [{ to: [{ namespaceSelector: {} }] }],
      },
    });
    manifests.push({
      apiVersion: 'security.istio.io/v1',
      kind: 'AuthorizationPolicy',
      metadata: { name: 'api', namespace: ns },
      spec: {
        selector: { matchLabels: { tier: 'api' } },
        action: 'ALLOW',
        rules: [{ from: [{ source: { namespaces: [`ns-${(n + 1) % NAMESPACES}`, ns] } }] }],
      },
    });
    manifests.push({
      apiVersion: 'security.istio.io/v1',
      kind: 'AuthorizationPolicy',
      metadata: { name: 'deny-w0', namespace: ns },
      spec: { selector: { matchLabels: { app: 'w-1' } }, action: 'DENY', rules: [{ from: [{ source: { principals: ['cluster.local/ns/ns-0/sa/w-0'] } }] }] },
    });
  }
  return manifests;
}

function analyzerFigures() {
  const manifests = clusterManifests();
  const t0 = process.hrtime.bigint();
  const cluster = loadCluster(manifests);
  const t1 = process.hrtime.bigint();
  const matrix = analyzeMatrix(cluster, { port: 8080, protocol: 'TCP' });
  const t2 = process.hrtime.bigint();
  // On a model of its own, so the matrix's warm caches do not help it.
  const connlistCluster = loadCluster(manifests);
  const t3 = process.hrtime.bigint();
  const connlist = analyzeConnlist(connlistCluster);
  const t4 = process.hrtime.bigint();
  const QUERIES = 5000;
  const keys = cluster.workloads.map(w => w.key);
  let allowed = 0;
  const t5 = process.hrtime.bigint();
  for (let i = 0; i < QUERIES; i++) {
    const from = keys[(i * 7919) % keys.length];
    const to = keys[(i * 104729 + 13) % keys.length];
    if (analyzeRequest(cluster, { from, to, port: 8080, protocol: 'TCP', addressing: 'pod' }).allowed) allowed++;
  }
  const t6 = process.hrtime.bigint();
  const pairs = matrix.pairs.length;
  const policies = cluster.networkPolicies.length + cluster.authorizationPolicies.length;
  const result = {
    workloads: cluster.workloads.length,
    policies,
    loadMs: ms(t0, t1),
    matrixMs: ms(t1, t2),
    pairs,
    pairsAllowed: matrix.pairs.filter(p => p.allowed).length,
    connlistMs: ms(t3, t4),
    portClasses: connlist.portClasses.length,
    connectedPairs: connlist.connections.length,
    queryAvgMs: ms(t5, t6) / QUERIES,
    queriesAllowed: allowed,
    peakRssMiB: peakRssMiB(),
  };
  return {
    ...result,
    markdown: [
      '| workloads | policies | load ms | matrix ms (pairs, allowed) | connlist ms (port classes, connected pairs) | single query avg ms (5,000 queries) | peak RSS MiB |',
      '|---:|---:|---:|---:|---:|---:|---:|',
      `| ${result.workloads} | ${policies} | ${result.loadMs.toFixed(0)} | ${result.matrixMs.toFixed(0)} (${pairs}, ${
        result.pairsAllowed
      }) | ${result.connlistMs.toFixed(0)} (${result.portClasses}, ${result.connectedPairs}) | ${result.queryAvgMs.toFixed(3)} | ${result.peakRssMiB} |`,
    ].join('\n'),
  };
}

function verifyFigures(components: number, egress: boolean) {
  const { model, problems } = buildCellModel(syntheticCatalog(components, { egress }), { defaultEnvironments: ['development'] });
  if (problems.length) throw new Error(`synthetic catalog has problems: ${problems[0].message}`);
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  const report = verifySimulation(createSimulation(model, DEFAULT_SETTINGS, 'development'));
  const t1 = process.hrtime.bigint();
  const cpu = process.cpuUsage(cpu0);
  const entries = model.components.flatMap(c => c.egress ?? []);
  const hosts = new Set(entries.flatMap(e => (e.kind === 'host' ? [e.host] : []))).size;
  const result = {
    components,
    cells: model.cells.length,
    egressHosts: hosts,
    egressCidrs: entries.filter(e => e.kind === 'cidr').length,
    checks: report.checks,
    violations: report.violations.length,
    verifyMs: ms(t0, t1),
    verifyCpuMs: (cpu.user + cpu.system) / 1000,
    peakRssMiB: peakRssMiB(),
  };
  const egressColumn = egress ? ` ${hosts}, ${result.egressCidrs} |` : '';
  const cpuColumn = egress ? ` (${result.verifyCpuMs.toFixed(0)})` : '';
  return {
    ...result,
    markdown: `| ${components} | ${result.cells} |${egressColumn} ${result.checks} | ${result.verifyMs.toFixed(0)}${cpuColumn} | ${result.violations} | ${
      result.peakRssMiB
    } |`,
  };
}

console.log(JSON.stringify(process.argv[2] === 'verify' ? verifyFigures(Number(process.argv[3]), process.argv[4] === 'egress') : analyzerFigures()));
