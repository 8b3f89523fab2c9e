/*
 * The compiled Artemis example through the real engine: every
 * AuthorizationPolicy the compiler produces, as the waypoint of each Service
 * enforces them, judged by Istio's builder in Envoy for every request `verify`
 * asks; no disagreement with the analyzer is allowed (no known difference
 * applies: the compiler's policies must mean what the analyzer says).
 */
import { artemisL7Cases } from '../../plugins/cells-common/src/testing/authz/artemis';
import { compareCase, emptyL7Tally, formatL7Tally } from '../../plugins/cells-common/src/testing/authz/compare';
import { AuthzCase } from '../../plugins/cells-common/src/testing/authz/generator';
import { seconds } from '../oracles';
import { judge, l7Oracle, printL7Failures } from './run';

/** False when a request disagrees, undefined when the oracle cannot run here (and this is not CI). */
export async function runArtemisL7(): Promise<boolean | undefined> {
  const oracle = await l7Oracle();
  if (!oracle) return undefined;
  const started = Date.now();
  const { cases, unchecked, ztunnel, egress } = artemisL7Cases();
  if (cases.length === 0) throw new Error('the compiled Artemis example has no waypoint-bound HTTP endpoint: nothing to check');
  if (unchecked.length > 0)
    throw new Error(`compiled waypoint AuthorizationPolicies that no waypoint-bound HTTP endpoint carries, so Envoy never sees them: ${unchecked.join(', ')}`);
  const byId = new Map(cases.map(c => [c.id, c]));
  const tally = emptyL7Tally([]);
  await judge(oracle, cases, (c, answer) => compareCase(c as AuthzCase, answer, tally, {}));
  process.stdout.write(
    `Compiled Artemis AuthorizationPolicies: the analyzer vs Istio's builder in Envoy, on every request verify asks\n` +
      `${cases.length - egress.length} Service ports behind a waypoint and ${
        egress.length
      } egress hosts (over TLS with the SNI set where their rules turn on it), ${
        new Set(cases.flatMap(c => c.policies.map(p => `${c.id.split('/')[0]}/${p.metadata.namespace}/${p.metadata.name}`))).size
      } compiled policies; compared in ${seconds(Date.now() - started)}\n${formatL7Tally(tally, [])}\n` +
      `not judged here: ${ztunnel.length} compiled policies ztunnel enforces (each component's "only from its waypoint" L4 rule), for which no real engine can run here\n`,
  );
  if (tally.unexplained.length === 0 && tally.errors.length === 0 && tally.requests > 0) return true;
  printL7Failures(
    tally,
    () => 'npm run test:diff -- --only l7',
    () => [...byId.values()].filter(c => tally.unexplained.some(d => d.id === c.id)),
  );
  process.stdout.write('FAIL: the compiled policies must mean in Envoy exactly what the analyzer says\n');
  return false;
}
