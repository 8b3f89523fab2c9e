/** Istio ambient mTLS: enrolment and PeerAuthentication (security.istio.io/v1). */
import { CompiledSelector, readStringMap, selectorFromMap } from '../labels';
import { byAge, isPlainObject, LayerResult, NamespaceModel, ProblemSink, WorkloadModel } from './model';

export type MtlsMode = 'UNSET' | 'DISABLE' | 'PERMISSIVE' | 'STRICT';
const MODES: readonly MtlsMode[] = ['UNSET', 'DISABLE', 'PERMISSIVE', 'STRICT'];

export interface PeerAuthenticationModel {
  ref: string;
  namespace: string;
  name: string;
  /** Undefined: namespace-wide (or mesh-wide in the root namespace). */
  selector?: CompiledSelector;
  mode: MtlsMode;
  portLevel: Map<number, MtlsMode>;
  createdAt?: string;
  order: number;
}

function readMode(value: unknown, field: string, sink: ProblemSink): MtlsMode | undefined {
  if (value === undefined || value === null) return 'UNSET';
  if (!isPlainObject(value)) {
    sink.add(field, 'must be an object with a mode');
    return undefined;
  }
  const mode = value.mode ?? 'UNSET';
  if (!MODES.includes(mode as MtlsMode)) {
    sink.add(`${field}.mode`, `unknown mode ${JSON.stringify(mode)} (UNSET, DISABLE, PERMISSIVE, STRICT)`);
    return undefined;
  }
  return mode as MtlsMode;
}

export function parsePeerAuthentication(
  obj: Record<string, unknown>,
  namespace: string,
  name: string,
  order: number,
  sink: ProblemSink,
): PeerAuthenticationModel | undefined {
  const spec = obj.spec ?? {};
  if (!isPlainObject(spec)) {
    sink.add('spec', 'must be an object');
    return undefined;
  }
  let selector: CompiledSelector | undefined;
  if (spec.selector !== undefined && spec.selector !== null) {
    if (!isPlainObject(spec.selector)) sink.add('spec.selector', 'must be an object with matchLabels');
    else {
      const { map, problems } = readStringMap(spec.selector.matchLabels, 'spec.selector.matchLabels');
      problems.forEach(p => sink.add(p.field, p.message));
      // Istio treats a selector without labels as namespace-wide.
      if (Object.keys(map).length > 0) selector = selectorFromMap(map);
    }
  }
  const mode = readMode(spec.mtls, 'spec.mtls', sink);
  const portLevel = new Map<number, MtlsMode>();
  if (spec.portLevelMtls !== undefined && spec.portLevelMtls !== null) {
    if (!isPlainObject(spec.portLevelMtls)) sink.add('spec.portLevelMtls', 'must be a map from port to mtls');
    else {
      if (!selector) sink.add('spec.portLevelMtls', 'needs a workload selector (Istio ignores it otherwise)');
      for (const [port, value] of Object.entries(spec.portLevelMtls)) {
        const n = Number(port);
        if (!/^\d+$/.test(port) || n < 1 || n > 65535) {
          sink.add(`spec.portLevelMtls.${port}`, 'the key must be a port number');
          continue;
        }
        const m = readMode(value, `spec.portLevelMtls.${port}`, sink);
        if (m) portLevel.set(n, m);
      }
    }
  }
  if (!sink.ok || !mode) return undefined;
  const metadata = isPlainObject(obj.metadata) ? obj.metadata : {};
  const createdAt = typeof metadata.creationTimestamp === 'string' ? metadata.creationTimestamp : undefined;
  return { ref: `${namespace}/${name}`, namespace, name, selector, mode, portLevel, createdAt, order };
}

export interface EffectiveMtls {
  mode: 'STRICT' | 'PERMISSIVE' | 'DISABLE';
  /** The PeerAuthentications that set the mode, outermost first. */
  policies: string[];
}

/**
 * The effective mode for a workload's port: mesh (root namespace) < namespace <
 * workload < port, UNSET inheriting; the oldest policy wins at each level.
 * Istio's default without any policy is PERMISSIVE.
 */
export function effectiveMtls(policies: readonly PeerAuthenticationModel[], workload: WorkloadModel, port: number, rootNamespace: string): EffectiveMtls {
  const pick = (filter: (p: PeerAuthenticationModel) => boolean) => policies.filter(filter).sort(byAge)[0];
  const mesh = pick(p => p.namespace === rootNamespace && !p.selector);
  const ns = workload.namespace === rootNamespace ? undefined : pick(p => p.namespace === workload.namespace && !p.selector);
  const wl =
    workload.namespace === rootNamespace ? undefined : pick(p => p.namespace === workload.namespace && !!p.selector && p.selector.matches(workload.labels));
  let mode: MtlsMode = 'PERMISSIVE';
  const used: string[] = [];
  for (const level of [mesh, ns, wl]) {
    if (level && level.mode !== 'UNSET') {
      mode = level.mode;
      used.push(level.ref);
    }
  }
  const portMode = wl?.portLevel.get(port);
  if (wl && portMode && portMode !== 'UNSET') {
    mode = portMode;
    if (!used.includes(wl.ref)) used.push(wl.ref);
  }
  return { mode: mode as EffectiveMtls['mode'], policies: used };
}

/**
 * The mTLS layer at the destination: only ambient-enrolled destinations have a
 * ztunnel to enforce it (docs/policy-semantics.md#ambient-1); STRICT means "deny any connection
 * without an identity" (docs/policy-semantics.md#ambient-3).
 */
export function evaluateMtls(args: {
  policies: readonly PeerAuthenticationModel[];
  destination: WorkloadModel;
  destinationNamespace: NamespaceModel;
  destinationAmbient: boolean;
  /** App port at the destination (portLevelMtls keys are app ports). */
  port: number;
  sourceIdentity?: string;
  rootNamespace: string;
  /** Skip building the reason (the matrix only needs verdicts). */
  quiet?: boolean;
}): LayerResult {
  const quiet = args.quiet === true;
  const { destination, sourceIdentity } = args;
  if (!args.destinationAmbient) {
    return {
      layer: 'mTLS',
      verdict: 'not-applicable',
      policies: [],
      reason: quiet
        ? ''
        : `${destination.key} is not in the ambient mesh (no ${'istio.io/dataplane-mode=ambient'} on namespace ${
            destination.namespace
          }), so nothing enforces mTLS there`,
    };
  }
  const effective = effectiveMtls(args.policies, destination, args.port, args.rootNamespace);
  let source = '';
  if (!quiet) {
    source = effective.policies.length > 0 ? `PeerAuthentication ${effective.policies.join(', ')}` : 'no PeerAuthentication (Istio default)';
  }
  if (sourceIdentity) {
    return {
      layer: 'mTLS',
      verdict: 'allow',
      policies: effective.policies,
      reason: quiet ? '' : `mutual TLS over HBONE with identity ${sourceIdentity} (${effective.mode} by ${source})`,
    };
  }
  if (effective.mode === 'STRICT') {
    return {
      layer: 'mTLS',
      verdict: 'deny',
      policies: effective.policies,
      reason: quiet ? '' : `${destination.key} requires mTLS (STRICT by ${source}) and the caller sends plaintext without an identity`,
    };
  }
  return {
    layer: 'mTLS',
    verdict: 'allow',
    policies: effective.policies,
    reason: quiet ? '' : `${destination.key} accepts plaintext (${effective.mode} by ${source}); the caller has no identity`,
  };
}
