/** Observations merged into edges: one per environment, ends, port, protocol, operation and verdict. */
import { compareText } from '../order';
import { nodeId } from './attribution';
import { Observation, TrafficEdge, TrafficWindow, Vantage } from './types';

/** Distinct values seen on an edge: nearly always one or two, so a list beats a Set. */
interface Extras {
  codes: number[];
  reasons: string[];
  seenBy: Vantage[];
}

export function compareEdges(a: TrafficEdge, b: TrafficEdge): number {
  return (
    compareText(a.environment, b.environment) ||
    compareText(a.from, b.from) ||
    compareText(a.to, b.to) ||
    (a.port ?? 0) - (b.port ?? 0) ||
    compareText(a.protocol, b.protocol) ||
    compareText(a.method ?? '', b.method ?? '') ||
    compareText(a.path ?? '', b.path ?? '') ||
    Number(b.allowed) - Number(a.allowed)
  );
}

/** Merges observations as they come (a source streams them); `edges()` gives the result, sorted. */
export class EdgeAggregator {
  private readonly byKey = new Map<string, TrafficEdge>();
  private readonly extras = new Map<TrafficEdge, Extras>();
  /** Observations added. */
  observations = 0;

  add(o: Observation): void {
    this.observations++;
    const from = nodeId(o.source);
    const to = nodeId(o.destination);
    const key = `${o.environment}\u0000${from}\u0000${to}\u0000${o.port ?? ''}\u0000${o.protocol}\u0000${o.method ?? ''}\u0000${o.path ?? ''}\u0000${
      o.verdict.allowed ? 1 : 0
    }`;
    let edge = this.byKey.get(key);
    let extras: Extras;
    if (!edge) {
      edge = {
        environment: o.environment,
        from,
        to,
        source: o.source,
        destination: o.destination,
        ...(o.port !== undefined ? { port: o.port } : {}),
        protocol: o.protocol,
        ...(o.method ? { method: o.method } : {}),
        ...(o.path ? { path: o.path } : {}),
        allowed: o.verdict.allowed,
        count: 0,
        firstSeen: o.firstSeen,
        lastSeen: o.lastSeen,
        codes: [],
        reasons: [],
        seenBy: [],
      };
      extras = { codes: [], reasons: [], seenBy: [] };
      this.byKey.set(key, edge);
      this.extras.set(edge, extras);
    } else {
      extras = this.extras.get(edge)!;
    }
    edge.count += o.count;
    if (o.firstSeen < edge.firstSeen) edge.firstSeen = o.firstSeen;
    if (o.lastSeen > edge.lastSeen) edge.lastSeen = o.lastSeen;
    if (o.verdict.code !== undefined && !extras.codes.includes(o.verdict.code)) extras.codes.push(o.verdict.code);
    if (o.verdict.reason && !extras.reasons.includes(o.verdict.reason)) extras.reasons.push(o.verdict.reason);
    if (!extras.seenBy.includes(o.seenBy)) extras.seenBy.push(o.seenBy);
  }

  /** The edges, sorted. Call once, when every observation is in. */
  edges(): TrafficEdge[] {
    const out: TrafficEdge[] = [];
    for (const edge of this.byKey.values()) {
      const x = this.extras.get(edge)!;
      edge.codes = x.codes.sort((a, b) => a - b);
      edge.reasons = x.reasons.sort(compareText);
      edge.seenBy = x.seenBy.sort(compareText);
      out.push(edge);
    }
    return out.sort(compareEdges);
  }
}

/**
 * Observations split by a window: the edges inside it, and the edges of the
 * observations that ended before it (for "last seen" of unused grants).
 * Observations after the window are left out.
 */
export class WindowedAggregator {
  readonly inWindow = new EdgeAggregator();
  readonly before = new EdgeAggregator();

  constructor(readonly window: TrafficWindow) {}

  add(o: Observation): void {
    if (o.lastSeen < this.window.from) this.before.add(o);
    else if (o.firstSeen <= this.window.to) this.inWindow.add(o);
  }
}

export function aggregateObservations(observations: Iterable<Observation>): TrafficEdge[] {
  const aggregator = new EdgeAggregator();
  for (const o of observations) aggregator.add(o);
  return aggregator.edges();
}
