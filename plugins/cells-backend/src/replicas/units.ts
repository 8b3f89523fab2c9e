import { EnvironmentTargetConfig, isModuleTarget } from '../config';
import { environmentUnit } from '../reconciler/ReconcileQueue';

/**
 * The lease units an environment's pass holds: the environment, and the
 * cluster its target writes to, so two environments on one cluster are
 * never written at once by two replicas either.
 */
export function leaseUnitsOf(targets: EnvironmentTargetConfig[]): (environment: string) => string[] {
  const byEnvironment = new Map(targets.map(t => [t.environment, t.target]));
  return environment => {
    const target = byEnvironment.get(environment);
    const units = [environmentUnit(environment)];
    if (target && !isModuleTarget(target) && target.type === 'kubernetes') units.push(`cluster:${target.cluster}`);
    return units;
  };
}
