/** Turning per-hop layer results into the answer's three layers and a sentence a person understands. */
import { LayerName, LayerResult } from './model';

export const LAYERS: readonly LayerName[] = ['L3/L4', 'mTLS', 'L7'];

/** How an allowed request that only an ipBlock over a pod IP admits is labelled (docs/policy-semantics.md#netpol-9). */
export const CNI_DEPENDENT_SHORT = 'depends on the CNI: Calico, Antrea and kube-router allow it, Cilium denies it';

export interface HopResult {
  /** e.g. `caller -> waypoint` */
  description: string;
  from: string;
  to: string;
  /** The port the network sees (15008 for HBONE) and the app port inside. */
  port: number;
  appPort: number;
  protocol: string;
  layers: LayerResult[];
}

/** Merges one layer across hops: any deny denies; the reason names the hop when there are several. */
export function aggregateLayer(layer: LayerName, hops: readonly HopResult[]): LayerResult {
  const results = hops.map(h => ({ hop: h, result: h.layers.find(l => l.layer === layer)! }));
  const prefix = (h: HopResult) => (hops.length > 1 ? `${h.description}: ` : '');
  const denied = results.find(r => r.result.verdict === 'deny');
  if (denied) {
    return { layer, verdict: 'deny', policies: denied.result.policies, reason: prefix(denied.hop) + denied.result.reason };
  }
  const applicable = results.filter(r => r.result.verdict === 'allow');
  if (applicable.length === 0) {
    return { layer, verdict: 'not-applicable', policies: [], reason: results.map(r => prefix(r.hop) + r.result.reason).join('; ') };
  }
  const policies: string[] = [];
  for (const r of applicable) for (const p of r.result.policies) if (!policies.includes(p)) policies.push(p);
  const caveats = applicable.filter(r => r.result.caveat).map(r => prefix(r.hop) + r.result.caveat);
  const reason = results.map(r => prefix(r.hop) + r.result.reason).join('; ');
  return { layer, verdict: 'allow', policies, reason, ...(caveats.length > 0 ? { caveat: caveats.join('; ') } : {}) };
}

export function firstDenying(layers: readonly LayerResult[]): LayerName | null {
  return layers.find(l => l.verdict === 'deny')?.layer ?? null;
}

/** "denied at L7: ..." or "allowed: ..." */
export function explain(args: { from: string; to: string; port: number | string; protocol: string; layers: readonly LayerResult[]; route: string }): string {
  const denying = args.layers.find(l => l.verdict === 'deny');
  if (denying) return `denied at ${denying.layer}: ${denying.reason}`;
  const checked = args.layers.filter(l => l.verdict === 'allow').map(l => l.layer);
  const skipped = args.layers.filter(l => l.verdict === 'not-applicable').map(l => l.layer);
  const passing = checked.length > 0 ? `, passing ${checked.join(', ')}` : '';
  const notApplicable = skipped.length > 0 ? ` (${skipped.join(', ')} not applicable)` : '';
  const reasons = args.layers.map(l => `${l.layer}: ${l.reason}`).join('; ');
  // An allow that some data planes would deny says so up front; the layer's reason has the details.
  const depends = args.layers.some(l => l.verdict === 'allow' && l.caveat) ? ` (${CNI_DEPENDENT_SHORT})` : '';
  return `allowed${depends}: ${args.from} -> ${args.to} on port ${args.port}/${args.protocol} ${args.route}${passing}${notApplicable}; ${reasons}`;
}
