/**
 * The evidence pack as a pdfmake document definition: a pure mapping of the
 * pack's content (cells-common's report model) to pages, headings, tables and
 * the diagram as vector graphics. No I/O; pdf.ts prints it.
 */
import type { Content, TableCell, TDocumentDefinitions } from 'pdfmake/interfaces';
import {
  AccessMatrix,
  approvalText,
  deniedByText,
  differenceRequestText,
  EnvironmentEvidence,
  EvidenceBundle,
  EvidencePack,
  matrixCellText,
  methodsAndPathsText,
  matrixText,
  NO_CHANGES_TEXT,
  NO_DIFFERENCE_TEXT,
  NO_HISTORY_TEXT,
  ownersText,
  PLATFORM_TEXT,
  reasonsText,
  resultText,
  statusText,
  VerificationRecord,
} from '@cellplane/cells-common';

/** A4 landscape minus the margins, in points. */
const PAGE_WIDTH = 842 - 2 * 32;
const RED = '#b91c1c';
/** The standard fonts' encoding (WinAnsi) has no ≠. */
const DIFFERS = '!=';

const header = (cells: string[]): TableCell[] => cells.map(text => ({ text, style: 'th' }));

/** Horizontal rules only, 3pt of padding each side: widths below add 6pt per column. */
const PADDING = 3;
const LAYOUT = {
  hLineWidth: (i: number, node: { table: { headerRows?: number } }) => {
    if (i === 0) return 0;
    return i === node.table.headerRows ? 1 : 0.5;
  },
  vLineWidth: () => 0,
  hLineColor: (i: number, node: { table: { headerRows?: number } }) => (i === node.table.headerRows ? '#374151' : '#d1d5db'),
  paddingLeft: () => PADDING,
  paddingRight: () => PADDING,
};

function table(head: string[], rows: TableCell[][], widths?: (string | number)[]): Content {
  return {
    table: { headerRows: 1, dontBreakRows: true, widths: widths ?? head.map(() => 'auto'), body: [header(head), ...rows] },
    layout: LAYOUT,
    style: 'table',
    margin: [0, 2, 0, 10],
  };
}

/** Splits `cell/component` labels after the slash so narrow columns wrap there. */
const wrapLabel = (label: string) => label.replace('/', '/\n');

function register(env: EnvironmentEvidence): Content {
  if (env.register.length === 0) return { text: 'No flow into, out of or within this cell is allowed.', margin: [0, 0, 0, 10] };
  const rows = env.register.map((f): TableCell[] => {
    const declared = f.declarations.map(d => `${methodsAndPathsText(d, f.protocol)}\n(${d.kind}: ${d.entity} ${d.field})`);
    if (f.undeclaredRequests) declared.push(`NOT DECLARED: ${f.undeclaredRequests.join(', ')}`);
    const red = f.status !== 'as-declared';
    return [
      { text: f.id, bold: true },
      f.from.label,
      f.to.label,
      `${f.port}/${f.transport}\n${f.protocol}`,
      declared.join('\n'),
      f.enforcedBy.map(l => `${l.layer}: ${l.policies.join(', ') || '(no policy)'}`).join('\n'),
      ownersText(f).join('\n'),
      reasonsText(f).join('\n'),
      approvalText(f),
      { text: statusText(f), color: red ? RED : undefined, bold: red },
    ];
  });
  return table(['Flow', 'From', 'To', 'Port', 'Methods and paths (declared by)', 'Enforced by', 'Owner', 'Reason', 'Approved by change', 'Status'], rows, [
    18,
    66,
    66,
    36,
    120,
    '*',
    60,
    70,
    55,
    42,
  ]);
}

/** Callee columns of a matrix table that fit the page beside the caller column (90pt), each at least 56pt. */
const MATRIX_COLUMNS = Math.floor((PAGE_WIDTH - 90 - 2 * PADDING) / (56 + 2 * PADDING));

function matrix(title: string, m: AccessMatrix, other: AccessMatrix): Content[] {
  const out: Content[] = [{ text: title, style: 'h4' }];
  for (let start = 0; start < m.callees.length || start === 0; start += MATRIX_COLUMNS) {
    const callees = m.callees.slice(start, start + MATRIX_COLUMNS);
    const width = Math.floor((PAGE_WIDTH - 90 - 2 * PADDING * (callees.length + 1)) / Math.max(1, callees.length));
    const rows = m.callers.map((from): TableCell[] => [
      wrapLabel(from),
      ...callees.map(to => {
        const text = matrixCellText(m, other, from, to, DIFFERS);
        return { text, color: text.endsWith(DIFFERS) ? RED : undefined, alignment: 'center' as const };
      }),
    ]);
    out.push(table(['caller \\ callee', ...callees.map(wrapLabel)], rows, [90, ...callees.map(() => width)]));
  }
  return out;
}

function verifications(records: VerificationRecord[]): Content {
  return table(
    ['When', 'Result', 'Requests checked', 'Allowed', 'Denied by layer', 'Violations', 'Manifests (sha256)', 'Cellplane', 'Trigger'],
    records.map(v => [
      v.at,
      { text: v.result === 'pass' ? 'pass' : 'FAIL', color: v.result === 'pass' ? undefined : RED, bold: v.result !== 'pass' },
      String(v.requestsChecked),
      v.allowed === undefined ? 'not counted' : String(v.allowed),
      deniedByText(v),
      String(v.violations),
      v.manifestsDigest ? v.manifestsDigest.slice(0, 16) : '',
      v.cellplaneVersion ?? '',
      v.trigger ?? '',
    ]),
  );
}

function environment(pack: EvidencePack, env: EnvironmentEvidence, first: boolean): Content[] {
  const { intended, enforced, difference } = env.matrices;
  const mesh = env.mesh ? 'Istio ambient (mutual TLS, a waypoint with L7 rules)' : 'none (L3/L4 only)';
  const out: Content[] = [
    { text: `Environment ${env.environment}`, style: 'h2', ...(first ? {} : { pageBreak: 'before' as const }) },
    {
      text: `Namespace ${env.namespace}; L3/L4 policies: ${
        env.networkPolicy === 'cilium' ? 'CiliumNetworkPolicy' : 'Kubernetes NetworkPolicy'
      }; mesh: ${mesh}.`,
      margin: [0, 0, 0, 6],
    },
    { text: 'Data-flow diagram', style: 'h3' },
    { svg: env.diagram.svg, fit: [PAGE_WIDTH, 370], margin: [0, 0, 0, 8] },
    { text: 'Register of allowed flows', style: 'h3', pageBreak: 'before' },
    {
      text: `Every flow verify found allowed into (inbound), within (internal) and out of (outbound) cell ${pack.cell.name}, with the declarations that allow it: ${env.register.length} flows.`,
      margin: [0, 0, 0, 4],
    },
    register(env),
    { text: 'Platform flows', style: 'h3' },
    { text: PLATFORM_TEXT, margin: [0, 0, 0, 4] },
    table(
      ['From', 'To', 'Ports', 'Why'],
      env.platformFlows.map(p => [p.from, p.to, p.ports, p.why]),
      [170, 170, 90, '*'],
    ),
    { text: 'Intended and enforced access', style: 'h3' },
    { text: matrixText(DIFFERS), margin: [0, 0, 0, 4] },
    ...matrix('Intended', intended, enforced),
    ...matrix('Enforced', enforced, intended),
    { text: 'Difference', style: 'h4' },
    difference.length === 0
      ? { text: NO_DIFFERENCE_TEXT, margin: [0, 0, 0, 10] }
      : table(
          ['Id', 'From', 'To', 'Port', 'Request', 'Declared', 'Allowed', 'Explanation'],
          difference.map(d => [
            d.id,
            d.from,
            d.to,
            String(d.port),
            differenceRequestText(d),
            d.declared ? 'yes' : 'no',
            { text: d.allowed ? 'YES' : 'no', color: d.allowed ? RED : undefined },
            d.explanation,
          ]),
          [22, 80, 80, 30, 90, 40, 40, '*'],
        ),
    { text: 'Verification', style: 'h3' },
    { text: 'Latest', style: 'h4' },
    verifications([env.verification.latest]),
    { text: 'History', style: 'h4' },
  ];
  if (!env.verification.historyKept) out.push({ text: NO_HISTORY_TEXT, margin: [0, 0, 0, 10] });
  else if (env.verification.history.length === 0) out.push({ text: 'No earlier verification is kept for this environment.', margin: [0, 0, 0, 10] });
  else out.push(verifications(env.verification.history));
  out.push({ text: 'Change log', style: 'h3' });
  if (env.changes === null) out.push({ text: NO_CHANGES_TEXT, margin: [0, 0, 0, 10] });
  else if (env.changes.length === 0) out.push({ text: 'No access change is kept for this environment.', margin: [0, 0, 0, 10] });
  else {
    out.push(
      table(
        ['When', 'Change', 'By', 'Link', 'Reason', 'Access diff'],
        env.changes.map(c => [
          c.at,
          c.summary,
          c.by ?? 'not recorded',
          c.link ?? '',
          c.reason ?? '',
          [...c.accessDiff.added.map(a => `+ ${a.text}`), ...c.accessDiff.removed.map(a => `- ${a.text}`)].join('\n') || 'no access change',
        ]),
        [90, 110, 90, 110, 120, '*'],
      ),
    );
  }
  if (env.notes.length) out.push({ text: 'Notes of this verification', style: 'h3' }, { ul: env.notes, margin: [0, 0, 0, 10] });
  return out;
}

function packContent(pack: EvidencePack, first: boolean): Content[] {
  const s = pack.summary;
  const title = pack.cell.title ? `${pack.cell.name} (${pack.cell.title})` : pack.cell.name;
  return [
    { text: `Segmentation evidence: cell ${title}`, style: 'h1', ...(first ? {} : { pageBreak: 'before' as const }) },
    {
      text: `Cell ${pack.cell.ref}, owned by ${pack.cell.owner}; ${pack.cell.components.length} components. Generated ${pack.generatedAt} by Cellplane ${pack.generator.version}.`,
      margin: [0, 0, 0, 6],
    },
    { text: `Result: ${resultText(s.result, s.differences)}`, bold: true, color: s.result === 'pass' ? '#047857' : RED, margin: [0, 0, 0, 6] },
    {
      text: `${s.flows} allowed flows (${s.undeclaredFlows} not declared); ${s.flowsWithoutReason} without a stated reason; ${
        s.flowsWithoutApproval
      } without a recorded approval${s.lastAccessChangeAt ? `; last access change ${s.lastAccessChangeAt}` : ''}.`,
      margin: [0, 0, 0, 10],
    },
    ...pack.environments.flatMap((env, i) => environment(pack, env, i === 0)),
    { text: 'What could not be verified here', style: 'h2' },
    { ul: pack.limits, margin: [0, 0, 0, 10] },
  ];
}

function isBundle(value: EvidencePack | EvidenceBundle): value is EvidenceBundle {
  return value.kind === 'cellplane.io/evidence-bundle';
}

/** The pdfmake document of a pack or a bundle (a summary page, then each cell's pack). */
export function evidenceDocDefinition(value: EvidencePack | EvidenceBundle): TDocumentDefinitions {
  let content: Content[];
  let subject: string;
  if (isBundle(value)) {
    const scope = 'owner' in value.scope ? `cells owned by ${value.scope.owner}` : 'all cells';
    subject = `Segmentation evidence: ${value.packs.length} cells, ${scope}`;
    content = [
      { text: subject, style: 'h1' },
      { text: `Generated ${value.generatedAt} by Cellplane ${value.generator.version}.`, margin: [0, 0, 0, 8] },
      table(
        ['Cell', 'Owner', 'Result', 'Flows', 'Not declared', 'Without reason', 'Differences'],
        value.packs.map(p => [
          p.cell.name,
          p.cell.owner,
          { text: p.summary.result === 'pass' ? 'pass' : 'FAIL', color: p.summary.result === 'pass' ? undefined : RED },
          String(p.summary.flows),
          String(p.summary.undeclaredFlows),
          String(p.summary.flowsWithoutReason),
          String(p.summary.differences),
        ]),
      ),
      ...value.packs.flatMap(p => packContent(p, false)),
    ];
  } else {
    subject = `Segmentation evidence: cell ${value.cell.name}`;
    content = packContent(value, true);
  }
  return {
    pageSize: 'A4' as const,
    pageOrientation: 'landscape' as const,
    pageMargins: [32, 32, 32, 36] as [number, number, number, number],
    info: {
      title: subject,
      subject,
      creator: `Cellplane ${value.generator.version}`,
      producer: 'Cellplane (pdfmake)',
      creationDate: new Date(value.generatedAt),
    },
    footer: (page: number, pages: number): Content => ({
      text: `${subject} · generated ${value.generatedAt} · page ${page} of ${pages}`,
      fontSize: 7,
      color: '#6b7280',
      margin: [32, 12, 32, 0],
    }),
    defaultStyle: { font: 'Helvetica', fontSize: 9 },
    styles: {
      h1: { fontSize: 17, bold: true, margin: [0, 0, 0, 6] },
      h2: { fontSize: 14, bold: true, margin: [0, 4, 0, 4] },
      h3: { fontSize: 11.5, bold: true, margin: [0, 8, 0, 4] },
      h4: { fontSize: 10, bold: true, margin: [0, 4, 0, 2] },
      th: { bold: true, fontSize: 7.5, fillColor: '#f3f4f6' },
      table: { fontSize: 7 },
    },
    content,
  };
}
