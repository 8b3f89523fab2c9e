/* eslint-disable no-restricted-globals */
// The layout Web Worker: runs ELK off the main thread so a large catalog's
// layout never freezes the page. Messages: { id, graph } -> { id, graph } | { id, error }.
import ELK from 'elkjs/lib/elk.bundled.js';
import type { ElkNode } from 'elkjs/lib/elk-api';

const elk = new ELK();

self.onmessage = async (event: MessageEvent<{ id: number; graph: ElkNode }>) => {
  const { id, graph } = event.data;
  try {
    self.postMessage({ id, graph: await elk.layout(graph) });
  } catch (e) {
    self.postMessage({ id, error: String((e as Error)?.message ?? e) });
  }
};
