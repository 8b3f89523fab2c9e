import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ARTEMIS_GOLDEN_DIR } from '../testing/goldens';

/*
 * Output is byte-identical on every machine, whatever its locale. Node fixes
 * its ICU default locale (what `localeCompare` and `new Intl.Collator()` use)
 * from LC_ALL / LANG at start-up, so the goldens are compiled again in a child
 * Node under Lithuanian, where "y" sorts between "i" and "j"
 * ("flight-dynamics" before "flight-director").
 */
const LOCALE = 'lt_LT.UTF-8';

function compileUnder(locale: string): { locale: string; files: { name: string; yaml: string }[] } {
  const script = `
    require(${JSON.stringify(require.resolve('@backstage/cli/config/nodeTransform.cjs'))});
    const { compileArtemisGoldens } = require(${JSON.stringify(path.resolve(__dirname, '../testing/goldens.ts'))});
    process.stdout.write(JSON.stringify({ locale: new Intl.Collator().resolvedOptions().locale, files: compileArtemisGoldens().files }));
  `;
  const out = execFileSync(process.execPath, ['-e', script], {
    env: { ...process.env, LC_ALL: locale, LANG: locale, LANGUAGE: '' },
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  return JSON.parse(out);
}

describe(`golden files for examples/artemis under ${LOCALE}`, () => {
  const compiled = compileUnder(LOCALE);

  it('runs in a locale whose collation differs from English', () => {
    expect(compiled.locale).toBe('lt-LT');
    const words = ['flight-director', 'flight-dynamics'];
    // eslint-disable-next-line no-restricted-syntax -- two fixed locales, compared on purpose
    expect([...words].sort(new Intl.Collator('lt-LT').compare)).not.toEqual([...words].sort(new Intl.Collator('en-US').compare));
  });

  it.each(compiled.files.map(f => [f.name, f.yaml] as const))('%s matches its golden file', (name, yaml) => {
    expect(yaml).toBe(fs.readFileSync(path.join(ARTEMIS_GOLDEN_DIR, name), 'utf8'));
  });
});
