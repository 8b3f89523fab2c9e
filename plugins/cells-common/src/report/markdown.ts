/** The evidence pack as Markdown: the same content as the JSON, for people (a pull request, a wiki, an auditor's inbox). */
import { base64 } from './base64';
import { AccessMatrix, EnvironmentEvidence, EvidenceBundle, EvidencePack, RegisterFlow, VerificationRecord } from './types';

export interface MarkdownOptions {
  /**
   * Where the diagram of an environment is: a link written instead of the
   * picture (e.g. an .svg file written beside the Markdown). Default: the SVG
   * inline as a data URI (renders in most viewers, not on GitHub).
   */
  diagramLink?: (pack: EvidencePack, env: EnvironmentEvidence) => string;
}

/** Free text in a table cell: no HTML, no column breaks, no line breaks. */
export function mdText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\|/g, '\\|').replace(/\r?\n/g, '<br>');
}

const code = (text: string) => `\`${text.replace(/`/g, "'")}\``;

function table(head: string[], rows: string[][]): string[] {
  return [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...rows.map(r => `| ${r.join(' | ')} |`)];
}

function methodsAndPaths(d: { methods?: string[]; paths?: string[] }, protocol: string): string {
  if (protocol === 'TCP' || protocol === 'UDP') return 'any (no L7 for this protocol)';
  return `${d.methods ? d.methods.join(', ') : 'any method'} on ${d.paths ? d.paths.map(code).join(', ') : 'any path'}`;
}

function flowRow(f: RegisterFlow): string[] {
  const declared = f.declarations.map(d => `${methodsAndPaths(d, f.protocol)} (${d.kind}: ${code(d.entity)} ${code(d.field)})`);
  if (f.undeclaredRequests) declared.push(`**not declared:** ${f.undeclaredRequests.map(r => mdText(r)).join(', ')}`);
  const status = f.status === 'as-declared' ? 'as declared' : `**${f.status === 'differs' ? 'differs' : 'UNDECLARED'}** (${f.violations.join(', ')})`;
  const approval = f.approval
    ? `${mdText(f.approval.summary)}, ${f.approval.at}${f.approval.by ? `, by ${mdText(f.approval.by)}` : ''}${f.approval.link ? `, ${mdText(f.approval.link)}` : ''}`
    : 'not recorded';
  return [
    f.id,
    code(f.from.label),
    code(f.to.label),
    `${f.port}/${f.transport}`,
    f.protocol,
    declared.join('<br>'),
    f.enforcedBy.map(l => `${l.layer}: ${l.policies.map(code).join(', ') || '(no policy)'}`).join('<br>'),
    [...new Set(f.declarations.map(d => code(d.owner)))].join('<br>') || `${code(f.to.owner)} (callee)`,
    f.declarations.filter(d => d.reason).map(d => mdText(d.reason!)).join('<br>') || (f.declarations.every(d => d.kind === 'public') && f.declarations.length ? 'public endpoint' : '**none given**'),
    approval,
    status,
  ];
}

function matrix(m: AccessMatrix, other: AccessMatrix): string[] {
  const entry = (x: AccessMatrix, from: string, to: string) => x.entries.find(e => e.from === from && e.to === to)?.endpoints.join(', ') ?? '';
  return table(
    ['caller \\ callee', ...m.callees.map(code)],
    m.callers.map(from => [
      code(from),
      ...m.callees.map(to => {
        const mine = entry(m, from, to);
        const differs = mine !== entry(other, from, to);
        return `${mine || '·'}${differs ? ' ≠' : ''}`;
      }),
    ]),
  );
}

function deniedText(v: VerificationRecord): string {
  return v.deniedBy ? `L3/L4 ${v.deniedBy['L3/L4']}, mTLS ${v.deniedBy.mTLS}, L7 ${v.deniedBy.L7}` : 'not counted';
}

function verificationRows(records: VerificationRecord[]): string[] {
  return table(
    ['when', 'result', 'requests checked', 'allowed', 'denied by layer', 'violations', 'manifests (sha256)', 'Cellplane', 'trigger'],
    records.map(v => [
      v.at,
      v.result === 'pass' ? 'pass' : '**FAIL**',
      String(v.requestsChecked),
      v.allowed === undefined ? 'not counted' : String(v.allowed),
      deniedText(v),
      String(v.violations),
      v.manifestsDigest ? code(v.manifestsDigest.slice(0, 16)) : '',
      v.cellplaneVersion ?? '',
      v.trigger ?? '',
    ]),
  );
}

function environmentSection(pack: EvidencePack, env: EnvironmentEvidence, h: string, options: MarkdownOptions): string[] {
  const out: string[] = [];
  const mesh = env.mesh ? 'Istio ambient (mutual TLS, a waypoint with L7 rules)' : 'none (L3/L4 only)';
  out.push(`${h} Environment ${env.environment}`, '', `Namespace ${code(env.namespace)}; L3/L4 policies: ${env.networkPolicy === 'cilium' ? 'CiliumNetworkPolicy' : 'Kubernetes NetworkPolicy'}; mesh: ${mesh}.`, '');
  const link = options.diagramLink?.(pack, env) ?? `data:image/svg+xml;base64,${base64(env.diagram.svg)}`;
  out.push(`${h}# Data-flow diagram`, '', `![Data flows of ${pack.cell.name} in ${env.environment}](${link})`, '');
  out.push(`${h}# Register of allowed flows`, '');
  out.push(
    env.register.length === 0
      ? 'No flow into, out of or within this cell is allowed.'
      : `Every flow verify found allowed into (inbound), within (internal) and out of (outbound) the cell, with the declarations that allow it. ${env.register.length} flows.`,
    '',
  );
  if (env.register.length) {
    out.push(...table(['flow', 'from', 'to', 'port', 'protocol', 'methods and paths (declared by)', 'enforced by', 'owner', 'reason', 'approved by change', 'status'], env.register.map(flowRow)), '');
  }
  out.push(`${h}# Platform flows`, '', 'Allowed by design beside the declared flows (from the settings; not probed by verify):', '');
  out.push(...table(['from', 'to', 'ports', 'why'], env.platformFlows.map(p => [mdText(p.from), mdText(p.to), p.ports, mdText(p.why)])), '');
  const { intended, enforced, difference } = env.matrices;
  out.push(`${h}# Intended and enforced access`, '', 'Intended: what the catalog declares. Enforced: what verify found the manifests allow. Entries are the endpoints (port/protocol) a caller may use; `≠` marks a pair where the two differ.', '');
  out.push('**Intended**', '', ...matrix(intended, enforced), '', '**Enforced**', '', ...matrix(enforced, intended), '');
  out.push(`${h}## Difference`, '');
  if (difference.length === 0) out.push('None: the manifests allow exactly what the catalog declares.', '');
  else {
    out.push(
      ...table(
        ['id', 'from', 'to', 'port', 'request', 'declared', 'allowed', 'explanation'],
        difference.map(d => [d.id, code(d.from), code(d.to), String(d.port), d.direct ? 'direct to the pod' : mdText([d.method, d.path].filter(Boolean).join(' ') || 'a connection'), d.declared ? 'yes' : 'no', d.allowed ? '**yes**' : 'no', mdText(d.explanation)]),
      ),
      '',
    );
  }
  out.push(`${h}# Verification`, '', '**Latest**', '', ...verificationRows([env.verification.latest]), '');
  out.push('**History**', '');
  if (!env.verification.historyKept) out.push('Not kept here: this pack was made without a verification history (the command line keeps none). The latest verification above is the one this pack ran.', '');
  else if (env.verification.history.length === 0) out.push('No earlier verification is kept for this environment.', '');
  else out.push(...verificationRows(env.verification.history), '');
  out.push(`${h}# Change log`, '');
  if (env.changes === null) out.push('Not available here: this pack was made without a change history (who changed which access, with the link and reason; the command line keeps none).', '');
  else if (env.changes.length === 0) out.push('No access change is kept for this environment.', '');
  else {
    out.push(
      ...table(
        ['when', 'change', 'by', 'link', 'reason', 'access diff'],
        env.changes.map(c => [
          c.at,
          mdText(c.summary),
          c.by ? mdText(c.by) : 'not recorded',
          c.link ? mdText(c.link) : '',
          c.reason ? mdText(c.reason) : '',
          [...c.accessDiff.added.map(a => `+ ${mdText(a.text)}`), ...c.accessDiff.removed.map(a => `− ${mdText(a.text)}`)].join('<br>') || 'no access change',
        ]),
      ),
      '',
    );
  }
  if (env.notes.length) out.push(`${h}# Notes of this verification`, '', ...env.notes.map(n => `- ${mdText(n)}`), '');
  return out;
}

function packLines(pack: EvidencePack, h: string, options: MarkdownOptions): string[] {
  const s = pack.summary;
  const title = pack.cell.title ? `${pack.cell.name} (${pack.cell.title})` : pack.cell.name;
  const verdict =
    s.result === 'pass'
      ? '**Result: PASS**: in every environment the manifests allow exactly what the catalog declares.'
      : `**Result: FAIL**: ${s.differences} request(s) are decided otherwise than the catalog declares (see each difference).`;
  return [
    `${h} Segmentation evidence: cell ${title}`,
    '',
    `Cell ${code(pack.cell.ref)}, owned by ${code(pack.cell.owner)}; ${pack.cell.components.length} components. Generated ${pack.generatedAt} by Cellplane ${pack.generator.version}.`,
    '',
    verdict,
    '',
    `${s.flows} allowed flows (${s.undeclaredFlows} not declared); ${s.flowsWithoutReason} without a stated reason; ${s.flowsWithoutApproval} without a recorded approval${s.lastAccessChangeAt ? `; last access change ${s.lastAccessChangeAt}` : ''}.`,
    '',
    ...pack.environments.flatMap(env => environmentSection(pack, env, `${h}#`, options)),
    `${h}# What could not be verified here`,
    '',
    ...pack.limits.map(l => `- ${mdText(l)}`),
    '',
  ];
}

export function evidenceMarkdown(pack: EvidencePack, options: MarkdownOptions = {}): string {
  return packLines(pack, '#', options).join('\n');
}

export function bundleMarkdown(bundle: EvidenceBundle, options: MarkdownOptions = {}): string {
  const scope = 'owner' in bundle.scope ? `owned by ${code(bundle.scope.owner)}` : 'all cells';
  return [
    `# Segmentation evidence: ${bundle.packs.length} cells, ${scope}`,
    '',
    `Generated ${bundle.generatedAt} by Cellplane ${bundle.generator.version}.`,
    '',
    ...table(
      ['cell', 'owner', 'result', 'flows', 'not declared', 'without reason', 'differences'],
      bundle.packs.map(p => [code(p.cell.name), code(p.cell.owner), p.summary.result === 'pass' ? 'pass' : '**FAIL**', String(p.summary.flows), String(p.summary.undeclaredFlows), String(p.summary.flowsWithoutReason), String(p.summary.differences)]),
    ),
    '',
    ...bundle.packs.flatMap(p => packLines(p, '##', options)),
  ].join('\n');
}
