/** The Artemis catalog for the traffic tests, and short ways to write observations. */
import { buildCellModel } from '../validation';
import { cellNamespace } from '../settings/naming';
import { artemisEntities, artemisSettings } from '../testing/artemis';
import { buildAttributionIndex } from './attribution';
import { Observation, TrafficPeer } from './types';

export const ENV = 'development';
// The Artemis example's platform, with its identity provider: the gateway's observed calls carry the token it requires.
export const settings = artemisSettings();
export const { model } = buildCellModel(artemisEntities(), { defaultEnvironments: [ENV], knownEnvironments: [ENV] });
export const index = buildAttributionIndex(model, settings);

export function ns(cell: string): string {
  return cellNamespace(settings, model.cells.find(c => c.name === cell)!, ENV);
}

export function principal(cell: string, account: string): string {
  return `spiffe://cluster.local/ns/${ns(cell)}/sa/${account}`;
}

export function component(name: string): TrafficPeer {
  const c = model.components.find(x => x.name === name)!;
  return { kind: 'component', ref: c.ref, cell: c.cell };
}

export const T0 = Date.parse('2026-11-23T00:00:00Z');
export const HOUR = 3_600_000;

export function obs(source: TrafficPeer, destination: TrafficPeer, extra: Partial<Observation> = {}): Observation {
  return {
    environment: ENV,
    source,
    destination,
    port: 8080,
    protocol: 'HTTP',
    verdict: { allowed: true },
    count: 1,
    firstSeen: T0,
    lastSeen: T0,
    seenBy: 'cilium-l7',
    ...extra,
  };
}
