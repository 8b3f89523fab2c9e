import { AccessChange, AccessDiffView } from '../api/types';

/** A value inside backticks in a table cell: `|` would end the cell, `\` would escape it. */
function tableCell(value: string): string {
  return value ? `\`${value.replace(/\\/g, '\\\\').replace(/\|/g, '\\|')}\`` : '';
}

function row(sign: string, c: AccessChange): string {
  const values = [c.from, c.to, String(c.port), c.method ?? '', c.path ?? '', c.layer ?? '', (c.policies ?? []).join(', ')];
  return `| ${sign} | ${values.map(tableCell).join(' | ')} |`;
}

/**
 * The access diff as Markdown: a heading with the counts, then a table with one
 * row per request whose verdict changed (newly allowed first, in diffAccess's
 * order), or a sentence when none did. `cellplane diff --markdown` (for a
 * pull-request comment) and the scaffolder's preview output print it.
 */
export function accessDiffMarkdown(diff: AccessDiffView, options: { title: string }): string {
  const lines = [`### ${options.title}: ${diff.added.length} newly allowed, ${diff.removed.length} no longer allowed`, ''];
  if (diff.added.length + diff.removed.length === 0) return `${lines.join('\n')}\nNo request changes its verdict.\n`;
  lines.push('| | From | To | Port | Method | Path | Layer | Policies |', '|---|---|---|---:|---|---|---|---|');
  diff.added.forEach(c => lines.push(row('➕ allowed', c)));
  diff.removed.forEach(c => lines.push(row('➖ denied', c)));
  return `${lines.join('\n')}\n`;
}
