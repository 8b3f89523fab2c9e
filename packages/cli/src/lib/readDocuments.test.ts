import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { InputError, readDocuments } from './readDocuments';

const ARTEMIS = path.resolve(__dirname, '../../../../examples/artemis');

function write(text: string): string {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'cellplane-read-')), 'catalog.yaml');
  fs.writeFileSync(file, text);
  return file;
}

/** What the `yaml` library (Backstage's reader) makes of a file: the reference. */
const reference = (file: string) =>
  parseAllDocuments(fs.readFileSync(file, 'utf8'))
    .map(d => d.toJS())
    .filter(v => v !== null && v !== undefined);

describe('readDocuments', () => {
  it('reads the same values as the yaml library, scalars that YAML 1.1 reads differently included', () => {
    const file = write(
      [
        'a: 1_000',
        'b: 0o17',
        'c: 0x1F',
        'd: yes',
        'e: ~',
        'f: 2001-12-14',
        'g: .inf',
        'h: 017',
        'i: +12',
        'j: 1e3',
        'k: <<',
        'l: True',
        'm: NULL',
        'n: off',
        'o: "quoted: yes"',
        'p: [GET, POST]',
        '---',
        '---',
        'kind: Component',
        'metadata: { name: capcom, annotations: { x: "1" } }',
        '',
      ].join('\n'),
    );
    expect(readDocuments([file]).map(d => d.value)).toEqual(reference(file));
    expect(readDocuments([file]).map(d => d.index)).toEqual([0, 2]);
  });

  it('reads the Artemis catalog exactly as the yaml library does', () => {
    for (const name of fs.readdirSync(ARTEMIS).filter(f => f.endsWith('.yaml'))) {
      const file = path.join(ARTEMIS, name);
      expect(readDocuments([file]).map(d => d.value)).toEqual(reference(file));
    }
  });

  it('names the file and line of a syntax error, and refuses a duplicate key', () => {
    const bad = write('kind: Component\nmetadata:\n  name: [unclosed\n');
    expect(() => readDocuments([bad])).toThrow(InputError);
    expect(() => readDocuments([bad])).toThrow(new RegExp(`^${bad.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+: invalid YAML`));
    const duplicate = write('kind: Component\nkind: System\n');
    expect(() => readDocuments([duplicate])).toThrow(/invalid YAML/);
  });
});
