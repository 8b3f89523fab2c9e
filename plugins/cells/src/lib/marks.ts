/**
 * A performance mark (`cells:<name>`) where the browser has them: the graph
 * benchmark (bench/graph.bench.mjs) reads them to split a first drawing into
 * fetch, layout and rendering. Costs nothing otherwise.
 */
export function mark(name: string): void {
  if (typeof performance !== 'undefined' && typeof performance.mark === 'function') performance.mark(`cells:${name}`);
}
