import { AccessChange, AccessDiffView } from './diffAccess';

/** Text in a table cell: Markdown's specials (`*` in `/v1/*`, `_`, ...) and `|`, which would end the cell, escaped. */
export function escapeText(value: string): string {
  return value.replace(/[\\`*_[\]<>|~]/g, c => `\\${c}`);
}

/** A value as code in a table cell: only `|` (which would end the cell) needs escaping. */
export function code(value: string): string {
  return value ? `\`${value.replace(/\|/g, '\\|')}\`` : '';
}

function row(sign: string, c: AccessChange): string {
  return `| ${sign} | ${escapeText(c.text)} | ${code(String(c.port))} | ${code(c.layer ?? '')} | ${(c.policies ?? []).map(code).join(', ')} |`;
}

/**
 * The access diff as Markdown: a heading with the counts, then a table with one
 * row per request whose verdict changed (newly allowed first, in diffAccess's
 * order: its sentence, port, deciding layer and policies), or a sentence when
 * none did. `cellplane diff --markdown` (for a pull-request comment) and the
 * scaffolder's preview output print it.
 */
export function accessDiffMarkdown(diff: AccessDiffView, options: { title: string }): string {
  const lines = [`### ${options.title}: ${diff.added.length} newly allowed, ${diff.removed.length} no longer allowed`, ''];
  if (diff.added.length + diff.removed.length === 0) return `${lines.join('\n')}\nNo request changes its verdict.\n`;
  lines.push('| Change | Request | Port | Layer | Policies |', '|---|---|---:|---|---|');
  // Words, not signs: they read the same in every font and to a screen reader.
  diff.added.forEach(c => lines.push(row('Newly allowed', c)));
  diff.removed.forEach(c => lines.push(row('No longer allowed', c)));
  return `${lines.join('\n')}\n`;
}
