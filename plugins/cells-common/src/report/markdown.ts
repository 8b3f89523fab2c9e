/** The evidence pack as Markdown: the same content as the JSON, for people (a pull request, a wiki, an auditor's inbox). */
import { code, escapeText } from '../diff/markdown';
import { base64 } from './base64';
import {
  approvalText,
  deniedByText,
  differenceRequestText,
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
} from './text';
import { AccessMatrix, EnvironmentEvidence, EvidenceBundle, EvidencePack, RegisterFlow, VerificationRecord } from './types';

export interface MarkdownOptions {
  /**
   * Where the diagram of an environment is: a link written instead of the
   * picture (e.g. an .svg file written beside the Markdown). Default: the SVG
   * inline as a data URI (renders in most viewers, not on GitHub).
   */
  diagramLink?: (pack: EvidencePack, env: EnvironmentEvidence) => string;
}

/** Free text in a table cell: Markdown's specials escaped (so no HTML and no column break), line breaks as <br>. */
export function mdText(text: string): string {
  return escapeText(text).replace(/\r?\n/g, '<br>');
}

function table(head: string[], rows: string[][]): string[] {
  return [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...rows.map(r => `| ${r.join(' | ')} |`)];
}

function flowRow(f: RegisterFlow): string[] {
  const declared = f.declarations.map(d => `${mdText(methodsAndPathsText(d, f.protocol))} (${d.kind}: ${code(d.entity)} ${code(d.field)})`);
  if (f.undeclaredRequests) declared.push(`**not declared:** ${f.undeclaredRequests.map(r => mdText(r)).join(', ')}`);
  const reasons = reasonsText(f).map(mdText);
  return [
    f.id,
    code(f.from.label),
    code(f.to.label),
    `${f.port}/${f.transport}`,
    f.protocol,
    declared.join('<br>'),
    f.enforcedBy.map(l => `${l.layer}: ${l.policies.map(code).join(', ') || '(no policy)'}`).join('<br>'),
    ownersText(f).map(code).join('<br>'),
    reasons[0] === 'none given' ? '**none given**' : reasons.join('<br>'),
    mdText(approvalText(f)),
    f.status === 'as-declared' ? statusText(f) : `**${statusText(f)}**`,
  ];
}

function matrix(m: AccessMatrix, other: AccessMatrix): string[] {
  return table(
    ['caller \\ callee', ...m.callees.map(code)],
    m.callers.map(from => [code(from), ...m.callees.map(to => matrixCellText(m, other, from, to))]),
  );
}

function verificationRows(records: VerificationRecord[]): string[] {
  return table(
    ['when', 'result', 'requests checked', 'allowed', 'denied by layer', 'violations', 'manifests (sha256)', 'Cellplane', 'trigger'],
    records.map(v => [
      v.at,
      v.result === 'pass' ? 'pass' : '**FAIL**',
      String(v.requestsChecked),
      v.allowed === undefined ? 'not counted' : String(v.allowed),
      deniedByText(v),
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
  out.push(
    `${h} Environment ${env.environment}`,
    '',
    `Namespace ${code(env.namespace)}; L3/L4 policies: ${env.networkPolicy === 'cilium' ? 'CiliumNetworkPolicy' : 'Kubernetes NetworkPolicy'}; mesh: ${mesh}.`,
    '',
  );
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
    out.push(
      ...table(
        ['flow', 'from', 'to', 'port', 'protocol', 'methods and paths (declared by)', 'enforced by', 'owner', 'reason', 'approved by change', 'status'],
        env.register.map(flowRow),
      ),
      '',
    );
  }
  out.push(`${h}# Platform flows`, '', PLATFORM_TEXT, '');
  out.push(
    ...table(
      ['from', 'to', 'ports', 'why'],
      env.platformFlows.map(p => [mdText(p.from), mdText(p.to), p.ports, mdText(p.why)]),
    ),
    '',
  );
  const { intended, enforced, difference } = env.matrices;
  out.push(`${h}# Intended and enforced access`, '', matrixText(), '');
  out.push('**Intended**', '', ...matrix(intended, enforced), '', '**Enforced**', '', ...matrix(enforced, intended), '');
  out.push(`${h}## Difference`, '');
  if (difference.length === 0) out.push(NO_DIFFERENCE_TEXT, '');
  else {
    out.push(
      ...table(
        ['id', 'from', 'to', 'port', 'request', 'declared', 'allowed', 'explanation'],
        difference.map(d => [
          d.id,
          code(d.from),
          code(d.to),
          String(d.port),
          mdText(differenceRequestText(d)),
          d.declared ? 'yes' : 'no',
          d.allowed ? '**yes**' : 'no',
          mdText(d.explanation),
        ]),
      ),
      '',
    );
  }
  out.push(`${h}# Verification`, '', '**Latest**', '', ...verificationRows([env.verification.latest]), '');
  out.push('**History**', '');
  if (!env.verification.historyKept) out.push(NO_HISTORY_TEXT, '');
  else if (env.verification.history.length === 0) out.push('No earlier verification is kept for this environment.', '');
  else out.push(...verificationRows(env.verification.history), '');
  out.push(`${h}# Change log`, '');
  if (env.changes === null) out.push(NO_CHANGES_TEXT, '');
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
  const [word, rest] = resultText(s.result, s.differences).split(/: (.*)/s);
  const verdict = `**Result: ${word}**: ${rest}`;
  return [
    `${h} Segmentation evidence: cell ${title}`,
    '',
    `Cell ${code(pack.cell.ref)}, owned by ${code(pack.cell.owner)}; ${pack.cell.components.length} components. Generated ${pack.generatedAt} by Cellplane ${
      pack.generator.version
    }.`,
    '',
    verdict,
    '',
    `${s.flows} allowed flows (${s.undeclaredFlows} not declared); ${s.flowsWithoutReason} without a stated reason; ${
      s.flowsWithoutApproval
    } without a recorded approval${s.lastAccessChangeAt ? `; last access change ${s.lastAccessChangeAt}` : ''}.`,
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
      bundle.packs.map(p => [
        code(p.cell.name),
        code(p.cell.owner),
        p.summary.result === 'pass' ? 'pass' : '**FAIL**',
        String(p.summary.flows),
        String(p.summary.undeclaredFlows),
        String(p.summary.flowsWithoutReason),
        String(p.summary.differences),
      ]),
    ),
    '',
    ...bundle.packs.flatMap(p => packLines(p, '##', options)),
  ].join('\n');
}
