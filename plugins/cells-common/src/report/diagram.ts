/**
 * The data-flow diagram of one cell in one environment, as SVG: who calls
 * into the cell on the left, the cell and its components in the middle, whom
 * it calls on the right, one arrow per caller and callee labelled with the
 * register's flow ids, ports and methods. A fixed layered layout in whole
 * pixels and a monospace font: the same register gives the same bytes.
 */
import { compareText } from '../order';
import { FlowParty, RegisterFlow } from './types';

export interface DiagramInput {
  cellName: string;
  title?: string;
  environment: string;
  namespace: string;
  /** The cell's components with their endpoints, as the pack lists them. */
  components: { name: string; endpoints: { name: string; port: number; protocol: string; visibility: string }[] }[];
  register: RegisterFlow[];
}

const FONT = 'DejaVu Sans Mono, Menlo, Consolas, Courier, monospace';
const CHAR = 7.3; // width of a 12px monospace character, rounded up
const SMALL = 6.7; // of an 11px one
const NODE_H = 40;
const GAP_Y = 14;
const GAP_X = 250;
const PAD = 12;
const GROUP_HEAD = 20;
const INK = '#1f2937';
const RED = '#b91c1c';

interface Node {
  key: string;
  title: string;
  sub: string;
  group: string;
  x: number;
  y: number;
  w: number;
  h: number;
  red: boolean;
}

interface Edge {
  from: string;
  to: string;
  ids: string[];
  label: string;
  red: boolean;
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const cmp = compareText;
const px = (n: number) => String(Math.round(n));

/** A node outside the cell; `side` keeps a caller that is also a callee apart (one node on each side). */
function partyNode(p: FlowParty, side: 'in' | 'out'): Omit<Node, 'x' | 'y' | 'w' | 'h'> {
  const key = `${side}:${p.label}`;
  if (p.kind === 'gateway') return { key, title: 'external gateway', sub: 'the internet, via HTTPRoute', group: '', red: false };
  if (p.kind === 'rogue') return { key, title: 'rogue pod', sub: `any pod in ${p.cellName}`, group: p.cellName, red: true };
  return { key, title: p.name, sub: '', group: p.cellName, red: false };
}

/** One arrow per caller and callee: the flows' ids, the ports, the methods (`any` when a declaration allows every method). */
function edgesOf(register: RegisterFlow[], cellName: string): Edge[] {
  const byPair = new Map<string, RegisterFlow[]>();
  for (const f of register) byPair.set(`${f.from.label}|${f.to.label}`, [...(byPair.get(`${f.from.label}|${f.to.label}`) ?? []), f]);
  return [...byPair.values()].map(flows => {
    const ports = [...new Set(flows.map(f => String(f.port)))].join(',');
    const declarations = flows.flatMap(f => f.declarations);
    const anyMethod = declarations.some(d => !d.methods) || flows.some(f => f.protocol === 'TCP' || f.protocol === 'UDP');
    const methods = anyMethod ? 'any' : [...new Set(declarations.flatMap(d => d.methods!))].sort().join(',');
    const red = flows.some(f => f.status !== 'as-declared');
    const undeclared = flows.some(f => f.undeclaredRequests);
    const { from, to } = flows[0];
    return {
      from: from.kind === 'component' && from.cellName === cellName ? from.label : `in:${from.label}`,
      to: to.cellName === cellName ? to.label : `out:${to.label}`,
      ids: flows.map(f => f.id),
      label: `${flows.map(f => f.id).join(',')} ${ports} ${methods}${undeclared ? ' +undeclared' : ''}`,
      red,
    };
  });
}

/** Stacks nodes top-down in groups (a cell per group); returns the band's height. */
function stack(nodes: Node[], x: number, top: number): number {
  let y = top;
  let group: string | undefined;
  for (const n of nodes) {
    if (n.group !== group) {
      if (group !== undefined) y += GAP_Y;
      group = n.group;
      if (n.group) y += GROUP_HEAD;
    }
    n.x = x;
    n.y = y;
    y += n.h + GAP_Y;
  }
  return y - top;
}

const width = (n: Pick<Node, 'title' | 'sub'>) => Math.ceil(Math.max(n.title.length * CHAR, n.sub.length * SMALL) + 2 * PAD);

/** Orders a band's nodes by the mean position of what they connect to, keeping groups together. */
function byBarycenter(nodes: Node[], neighbours: (n: Node) => number[]): Node[] {
  const center = new Map(
    nodes.map(n => {
      const ys = neighbours(n);
      return [n.key, ys.length ? ys.reduce((a, b) => a + b, 0) / ys.length : Number.MAX_SAFE_INTEGER];
    }),
  );
  const groupCenter = new Map<string, number>();
  for (const g of new Set(nodes.map(n => n.group))) {
    const members = nodes.filter(n => n.group === g).map(n => center.get(n.key)!);
    groupCenter.set(g, Math.min(...members));
  }
  return [...nodes].sort(
    (a, b) => groupCenter.get(a.group)! - groupCenter.get(b.group)! || cmp(a.group, b.group) || center.get(a.key)! - center.get(b.key)! || cmp(a.key, b.key),
  );
}

function bezier(p: number[], t: number): [number, number] {
  const u = 1 - t;
  const x = u * u * u * p[0] + 3 * u * u * t * p[2] + 3 * u * t * t * p[4] + t * t * t * p[6];
  const y = u * u * u * p[1] + 3 * u * u * t * p[3] + 3 * u * t * t * p[5] + t * t * t * p[7];
  return [x, y];
}

interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
}
const overlaps = (a: Box, b: Box) => a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;

function arrowHead(x: number, y: number, dx: number, color: string): string {
  const back = x - 9 * dx;
  return `<path d="M${px(x)} ${px(y)} L${px(back)} ${px(y - 4)} L${px(back)} ${px(y + 4)} Z" fill="${color}"/>`;
}

/** Spreads the anchors of a node side over its height, in the order of the other ends. */
function anchors(count: number, node: Node, index: number): number {
  return node.y + (node.h * (index + 1)) / (count + 1);
}

export function dataFlowDiagram(input: DiagramInput): string {
  const edges = edgesOf(input.register, input.cellName).sort((a, b) => cmp(a.from, b.from) || cmp(a.to, b.to));
  const inside = new Map<string, Node>();
  for (const c of input.components) {
    const sub = c.endpoints.map(e => `${e.port}/${e.protocol} ${e.visibility}`).join(', ') || 'no endpoint';
    const key = `${input.cellName}/${c.name}`;
    inside.set(key, { key, title: c.name, sub, group: input.cellName, x: 0, y: 0, w: 0, h: NODE_H, red: false });
  }
  const left = new Map<string, Node>();
  const right = new Map<string, Node>();
  for (const f of input.register) {
    if (f.direction === 'inbound' && !left.has(f.from.label)) left.set(f.from.label, { ...partyNode(f.from, 'in'), x: 0, y: 0, w: 0, h: NODE_H });
    if (f.direction === 'outbound' && !right.has(f.to.label)) right.set(f.to.label, { ...partyNode(f.to, 'out'), x: 0, y: 0, w: 0, h: NODE_H });
  }
  const inbound = edges.filter(e => !inside.has(e.from));
  const outbound = edges.filter(e => !inside.has(e.to));
  const internal = edges.filter(e => inside.has(e.from) && inside.has(e.to));

  // Order: components by name, then each side by its neighbours, then components by both sides, twice.
  let mid = [...inside.values()].sort((a, b) => cmp(a.key, b.key));
  let leftNodes = [...left.values()];
  let rightNodes = [...right.values()];
  for (let round = 0; round < 2; round++) {
    const rank = (list: Node[]) => new Map(list.map((n, i) => [n.key, list.length > 1 ? i / (list.length - 1) : 0.5]));
    const midRank = rank(mid);
    leftNodes = byBarycenter(leftNodes, n => inbound.filter(e => e.from === n.key).map(e => midRank.get(e.to)!));
    rightNodes = byBarycenter(rightNodes, n => outbound.filter(e => e.to === n.key).map(e => midRank.get(e.from)!));
    const l = rank(leftNodes);
    const r = rank(rightNodes);
    mid = byBarycenter(mid, n => [
      ...inbound.filter(e => e.to === n.key).map(e => l.get(e.from)!),
      ...outbound.filter(e => e.from === n.key).map(e => r.get(e.to)!),
    ]);
  }

  // Columns.
  [...leftNodes, ...mid, ...rightNodes].forEach(n => (n.w = width(n)));
  const leftW = Math.max(0, ...leftNodes.map(n => n.w), ...leftNodes.map(n => (n.group.length + 8) * SMALL));
  const midW = Math.max(160, ...mid.map(n => n.w));
  const lane = internal.length ? 40 + 16 * internal.length : 24;
  const x0 = 24;
  const cellX = x0 + (leftNodes.length ? leftW + GAP_X : 0);
  const midX = cellX + PAD;
  const cellW = PAD + midW + lane;
  const rightX = cellX + cellW + (rightNodes.length ? GAP_X : 0);
  const rightW = Math.max(0, ...rightNodes.map(n => n.w), ...rightNodes.map(n => (n.group.length + 8) * SMALL));
  leftNodes.forEach(n => (n.w = leftW));
  rightNodes.forEach(n => (n.w = rightW));
  mid.forEach(n => (n.w = midW));

  // Rows, each band centred on the tallest.
  const top = 70;
  const heights = [stack(leftNodes, x0, 0), stack(mid, midX, 0) + GROUP_HEAD, stack(rightNodes, rightX, 0)];
  const tallest = Math.max(...heights);
  const shift = (nodes: Node[], h: number, extra = 0) => nodes.forEach(n => (n.y += top + extra + Math.round((tallest - h) / 2)));
  shift(leftNodes, heights[0]);
  shift(mid, heights[1], 0);
  shift(rightNodes, heights[2]);
  const cellTop = Math.min(...mid.map(n => n.y)) - GROUP_HEAD - 6;
  const cellBottom = Math.max(...mid.map(n => n.y + n.h)) + PAD;
  const totalW = (rightNodes.length ? rightX + rightW : cellX + cellW) + 24;
  const totalH = top + tallest + 60;
  const nodes = new Map([...leftNodes, ...mid, ...rightNodes].map(n => [n.key, n]));

  const out: string[] = [];
  const placed: Box[] = [...nodes.values()].map(n => ({ x: n.x, y: n.y, w: n.w, h: n.h }));
  const labelAt = (text: string, path: number[], ts: number[], red: boolean) => {
    const w = Math.ceil(text.length * SMALL + 8);
    const h = 16;
    for (const t of ts) {
      const [cx, cy] = bezier(path, t);
      const box = { x: Math.round(cx - w / 2), y: Math.round(cy - h / 2), w, h };
      if (placed.some(b => overlaps(b, box)) && t !== ts[ts.length - 1]) continue;
      placed.push(box);
      out.push(
        `<rect x="${box.x}" y="${box.y}" width="${w}" height="${h}" rx="3" fill="#ffffff" stroke="${red ? RED : '#9ca3af'}" stroke-width="1"/>`,
        `<text x="${box.x + 4}" y="${box.y + 12}" font-size="11" fill="${red ? RED : INK}">${esc(text)}</text>`,
      );
      return;
    }
  };
  const edgeStyle = (e: Edge) => `fill="none" stroke="${e.red ? RED : INK}" stroke-width="1.5"${e.red ? ' stroke-dasharray="6 4"' : ''}`;

  // Anchors per node side, ordered by the other end's position so arrows do not cross at a node.
  const sideOrder = (list: Edge[], self: (e: Edge) => string, other: (e: Edge) => string) => {
    const index = new Map<Edge, { i: number; n: number }>();
    const bySelf = new Map<string, Edge[]>();
    list.forEach(e => bySelf.set(self(e), [...(bySelf.get(self(e)) ?? []), e]));
    for (const group of bySelf.values()) {
      group.sort((a, b) => nodes.get(other(a))!.y - nodes.get(other(b))!.y || cmp(other(a), other(b)));
      group.forEach((e, i) => index.set(e, { i, n: group.length }));
    }
    return index;
  };
  const lines: string[] = [];
  const heads: string[] = [];
  const labels: [string, number[], number[], boolean][] = [];
  const across = (list: Edge[], startX: (a: Node) => number, endX: (b: Node) => number, through?: number) => {
    const starts = sideOrder(
      list,
      e => e.from,
      e => e.to,
    );
    const ends = sideOrder(
      list,
      e => e.to,
      e => e.from,
    );
    for (const e of list) {
      const a = nodes.get(e.from)!;
      const b = nodes.get(e.to)!;
      const s = starts.get(e)!;
      const t = ends.get(e)!;
      const y1 = Math.round(anchors(s.n, a, s.i));
      const y2 = Math.round(anchors(t.n, b, t.i));
      const x1 = through ?? startX(a);
      const x2 = endX(b) - 1;
      const dx = (x2 - x1) / 2;
      const path = [x1, y1, x1 + dx, y1, x2 - dx, y2, x2, y2];
      const lead = through !== undefined ? `M${px(startX(a))} ${y1} L${px(x1)} ${y1} ` : `M${px(x1)} ${y1} `;
      lines.push(`<path d="${lead}C${px(path[2])} ${y1} ${px(path[4])} ${y2} ${px(x2)} ${y2}" ${edgeStyle(e)}/>`);
      heads.push(arrowHead(x2, y2, 1, e.red ? RED : INK));
      labels.push([e.label, path, [0.5, 0.35, 0.65, 0.25, 0.75, 0.15, 0.85], e.red]);
    }
  };
  across(
    inbound,
    a => a.x + a.w,
    b => b.x,
  );
  across(
    outbound,
    a => a.x + a.w,
    b => b.x,
    cellX + cellW,
  );
  // Internal calls: arcs on the components' right side, nested by distance.
  const arcs = [...internal].sort(
    (a, b) =>
      Math.abs(nodes.get(a.from)!.y - nodes.get(a.to)!.y) - Math.abs(nodes.get(b.from)!.y - nodes.get(b.to)!.y) || cmp(a.from, b.from) || cmp(a.to, b.to),
  );
  arcs.forEach((e, i) => {
    const a = nodes.get(e.from)!;
    const b = nodes.get(e.to)!;
    const x = midX + midW;
    const bulge = 24 + 16 * i;
    const y1 = a.y + Math.round(a.h / 2) - 6;
    const y2 = b.y + Math.round(b.h / 2) + 6;
    const path = [x, y1, x + bulge * 1.33, y1, x + bulge * 1.33, y2, x + 1, y2];
    lines.push(`<path d="M${px(x)} ${y1} C${px(path[2])} ${y1} ${px(path[4])} ${y2} ${px(x + 1)} ${y2}" ${edgeStyle(e)}/>`);
    heads.push(arrowHead(x + 1, y2, -1, e.red ? RED : INK));
    labels.push([e.label, path, [0.5, 0.4, 0.6, 0.3, 0.7], e.red]);
  });

  const head = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${totalW}" height="${totalH}" viewBox="0 0 ${totalW} ${totalH}" font-family="${FONT}" font-size="12">`,
    `<rect x="0" y="0" width="${totalW}" height="${totalH}" fill="#ffffff"/>`,
    `<text x="24" y="28" font-size="15" font-weight="bold" fill="${INK}">${esc(
      `Data flows of ${input.title ?? input.cellName} (${input.environment})`,
    )}</text>`,
    `<text x="24" y="48" font-size="11" fill="#4b5563">${esc(
      `${input.register.length} allowed flows; namespace ${input.namespace}; arrows: caller to callee, labelled with flow ids, ports, methods`,
    )}</text>`,
    `<rect x="${cellX}" y="${cellTop}" width="${cellW}" height="${cellBottom - cellTop}" rx="8" fill="#eef2ff" stroke="#4338ca" stroke-width="2"/>`,
    `<text x="${cellX + PAD}" y="${cellTop + 16}" font-size="12" font-weight="bold" fill="#3730a3">${esc(`cell ${input.cellName}`)}</text>`,
  ];
  // Group frames of other cells on both sides.
  for (const band of [leftNodes, rightNodes]) {
    for (const g of new Set(band.map(n => n.group))) {
      if (!g) continue;
      const members = band.filter(n => n.group === g);
      const y = Math.min(...members.map(n => n.y)) - GROUP_HEAD;
      const bottom = Math.max(...members.map(n => n.y + n.h)) + 6;
      const x = members[0].x - 6;
      head.push(
        `<rect x="${x}" y="${y - 4}" width="${members[0].w + 12}" height="${
          bottom - y + 4
        }" rx="6" fill="#f9fafb" stroke="#9ca3af" stroke-width="1" stroke-dasharray="4 3"/>`,
        `<text x="${x + 6}" y="${y + 10}" font-size="11" fill="#4b5563">${esc(`cell ${g}`)}</text>`,
      );
    }
  }
  const boxes = [...nodes.values()].map(n => {
    let stroke = n.key === 'in:gateway' ? '#047857' : '#374151';
    if (n.red) stroke = RED;
    const fill = n.key === 'in:gateway' ? '#ecfdf5' : '#ffffff';
    return [
      `<rect x="${n.x}" y="${n.y}" width="${n.w}" height="${n.h}" rx="5" fill="${fill}" stroke="${stroke}" stroke-width="1.5"/>`,
      `<text x="${n.x + PAD}" y="${n.y + (n.sub ? 17 : 25)}" font-weight="bold" fill="${INK}">${esc(n.title)}</text>`,
      ...(n.sub ? [`<text x="${n.x + PAD}" y="${n.y + 32}" font-size="11" fill="#4b5563">${esc(n.sub)}</text>`] : []),
    ].join('\n');
  });
  for (const [text, path, ts, red] of labels) labelAt(text, path, ts, red);
  const legend = `<text x="24" y="${
    totalH - 20
  }" font-size="11" fill="#4b5563">solid: as declared; dashed red: decided otherwise than declared, or not declared (see the register)</text>`;
  return [...head, ...lines, ...heads, ...boxes, ...out, legend, '</svg>', ''].join('\n');
}
