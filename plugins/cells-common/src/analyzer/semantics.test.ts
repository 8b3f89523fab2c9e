import fs from 'node:fs';
import path from 'node:path';

/*
 * docs/policy-semantics.md is the contract the analyzer is written against;
 * code cites its rules by anchor. Every citation must land on a rule, and every
 * rule must have its truth table (a describe block named by its anchor).
 */
const ROOT = path.resolve(__dirname, '../../../..');
const DOC = path.join(ROOT, 'docs/policy-semantics.md');

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap(entry => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' || entry.name === 'dist' ? [] : sourceFiles(full);
    return /\.(ts|tsx|mjs|js)$/.test(entry.name) ? [full] : [];
  });
}

const anchors = new Set([...fs.readFileSync(DOC, 'utf8').matchAll(/<a id="([a-z0-9-]+)"><\/a>/g)].map(m => m[1]));
const files = ['plugins', 'packages', 'tools', 'tests'].flatMap(d => sourceFiles(path.join(ROOT, d)));
const cited = files.flatMap(file =>
  [...fs.readFileSync(file, 'utf8').matchAll(/policy-semantics\.md#([a-z0-9-]+)((?:, #[a-z0-9-]+)*)/g)].flatMap(m => [
    { file: path.relative(ROOT, file), anchor: m[1] },
    ...[...m[2].matchAll(/#([a-z0-9-]+)/g)].map(extra => ({ file: path.relative(ROOT, file), anchor: extra[1] })),
  ]),
);

describe('docs/policy-semantics.md', () => {
  it('has the rules of every layer', () => {
    expect([...anchors].filter(a => /^netpol-\d+$/.test(a))).toHaveLength(10);
    expect([...anchors].filter(a => /^cilium-\d+$/.test(a))).toHaveLength(9);
    expect([...anchors].filter(a => /^ambient-\d+$/.test(a))).toHaveLength(6);
    expect([...anchors].filter(a => /^authz-\d+$/.test(a))).toHaveLength(11);
    expect(anchors.has('gateway-1')).toBe(true);
    expect([...anchors].filter(a => /^egress-\d+$/.test(a))).toHaveLength(5);
  });

  it('holds every rule the code cites', () => {
    expect(cited.length).toBeGreaterThan(30);
    expect(cited.filter(c => !anchors.has(c.anchor))).toEqual([]);
  });

  it('has a truth table (a describe named by its anchor) for every rule', () => {
    const tables = new Set(
      sourceFiles(__dirname)
        .filter(f => f.endsWith('.test.ts'))
        .flatMap(f => [...fs.readFileSync(f, 'utf8').matchAll(/^describe\(['"]([a-z]+-\d+): /gm)].map(m => m[1])),
    );
    expect([...anchors].filter(a => !tables.has(a))).toEqual([]);
  });
});
