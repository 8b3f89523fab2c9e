import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { cellplane } from '../testing/runCli';

const ARTEMIS = path.resolve(__dirname, '../../../../examples/artemis');

/* Misspelled fields fail closed (issue 20): a typo in a field Cellplane reads stops render and verify, named and with its fix. */

describe('cellplane on a catalog with a misspelled field', () => {
  let tmp: string;
  /** A copy of the Artemis catalog with houston.yaml edited. */
  const artemisWith = (edit: (houston: string) => string) => {
    for (const f of fs.readdirSync(ARTEMIS)) fs.copyFileSync(path.join(ARTEMIS, f), path.join(tmp, f));
    const houston = path.join(tmp, 'houston.yaml');
    const before = fs.readFileSync(houston, 'utf8');
    const after = edit(before);
    expect(after).not.toBe(before);
    fs.writeFileSync(houston, after);
    return houston;
  };
  beforeEach(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cellplane-misspelled-'));
  });
  afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it("the unedited copy renders and verifies (the failures below are the typo's)", async () => {
    artemisWith(houston => `${houston}\n`);
    expect((await cellplane('render', tmp)).code).toBe(0);
    expect((await cellplane('verify', tmp)).code).toBe(0);
  });

  it('render and verify exit 1 on `conections:`, naming file, entity, field and "did you mean"', async () => {
    // flight-director's calls would otherwise vanish, and verify would say OK.
    const houston = artemisWith(text => text.replace(/^ {2}connections:/m, '  conections:'));
    for (const command of ['render', 'verify']) {
      const { code, stdout, stderr } = await cellplane(command, tmp);
      expect(code).toBe(1);
      expect(stdout).toBe('');
      expect(stderr).toContain(
        `${houston}: component:default/flight-director: spec.conections: unknown field "conections" is a near miss of \`connections\` (a misspelled field would be ignored). Fix: did you mean \`connections\`? Rename the field.`,
      );
    }
  });

  it('render and verify exit 1 on a misspelled key inside a connection, naming its exact path', async () => {
    const houston = artemisWith(text =>
      text.replace('{ to: signal-router, endpoint: http, methods: [GET] }', '{ to: signal-router, endpoint: http, metod: [GET] }'),
    );
    for (const command of ['render', 'verify']) {
      const { code, stderr } = await cellplane(command, tmp);
      expect(code).toBe(1);
      expect(stderr).toContain(
        `${houston}: component:default/flight-director: spec.connections[1].metod: unknown field "metod". Fix: did you mean \`methods\`? Rename the field.`,
      );
    }
  });
});
