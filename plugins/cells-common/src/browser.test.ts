import fs from 'node:fs';
import path from 'node:path';
import * as browser from './browser';

/** Every module the entry loads at run time (type-only imports are erased), and the packages they import. */
function runtimeImports(entry: string) {
  const files = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string) => {
    if (files.has(file)) return;
    files.add(file);
    const source = fs.readFileSync(file, 'utf8');
    // `import x from`, `export ... from`, `require(...)`; `import type` / `export type` are erased.
    const specifiers = [
      ...[...source.matchAll(/^(?:import|export)\s+(?!type\b)[^'"]*?from\s+'([^']+)'/gms)].map(m => m[1]),
      ...[...source.matchAll(/require\('([^']+)'\)/g)].map(m => m[1]),
    ];
    for (const spec of specifiers) {
      if (!spec.startsWith('.')) {
        packages.add(spec);
        continue;
      }
      const base = path.resolve(path.dirname(file), spec);
      const resolved = [`${base}.ts`, path.join(base, 'index.ts')].find(f => fs.existsSync(f));
      if (!resolved) throw new Error(`${file}: cannot resolve ${spec}`);
      visit(resolved);
    }
  };
  visit(entry);
  return { files: [...files].map(f => path.relative(__dirname, f)).sort(), packages: [...packages].sort() };
}

describe('the browser entry', () => {
  it('loads no compiler schema, analyzer or Node module', () => {
    const { files, packages } = runtimeImports(path.join(__dirname, 'browser.ts'));
    // yaml reads the OpenAPI documents of API entities (validation/openapi.ts); Backstage's scaffolder bundles it already.
    expect(packages.filter(p => !['@backstage/catalog-model', 'js-yaml', 'yaml'].includes(p) && !p.startsWith('@noble/hashes/'))).toEqual([]);
    expect(files.filter(f => /^(analyzer|verify|diff|compiler\/(?!yaml|context))/.test(f))).toEqual([]);
    // The walk did see the entry's real graph.
    expect(files).toEqual(expect.arrayContaining(['validation/entity.ts', 'change/entities.ts', 'compiler/yaml.ts']));
    expect(packages).toEqual(expect.arrayContaining(['@backstage/catalog-model', 'js-yaml']));
  });

  it('offers the checks and builders the portal uses', () => {
    expect(browser.pathPatternError('/a/*')).toBeUndefined();
    expect(browser.pathPatternError('a*b')).toMatch(/middle/);
    expect(browser.visibilityAdmits({ visibility: 'project' }, 'system:default/a', 'system:default/b')).toBe(false);
    expect(browser.visibilityAdmits({ visibility: 'organization' }, 'system:default/a', 'system:default/b')).toBe(true);
    expect(browser.HTTP_METHODS).toContain('GET');
  });
});
