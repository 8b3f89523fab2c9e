import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { cellHeader, ownershipOf, parseObjects, writeAtomic } from './files';

describe('writeAtomic', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cells-atomic-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('replaces the file and leaves no temporary file', async () => {
    const file = path.join(dir, 'a.yaml');
    fs.writeFileSync(file, 'old\n');
    await writeAtomic(file, 'new\n');
    expect(fs.readFileSync(file, 'utf8')).toBe('new\n');
    expect(fs.readdirSync(dir)).toEqual(['a.yaml']);
  });

  it('removes its temporary file when the rename fails', async () => {
    const target = path.join(dir, 'b.yaml');
    fs.mkdirSync(path.join(target, 'inside'), { recursive: true });
    await expect(writeAtomic(target, 'x\n')).rejects.toThrow(/EISDIR|ENOTEMPTY|EEXIST/);
    expect(fs.readdirSync(dir).sort()).toEqual(['a.yaml', 'b.yaml']);
  });
});

describe('ownershipOf', () => {
  it('knows the header, and the cell it names', () => {
    expect(ownershipOf(undefined)).toEqual({ kind: 'missing' });
    expect(ownershipOf('apiVersion: v1\n')).toEqual({ kind: 'foreign' });
    expect(ownershipOf(' # Managed by Cellplane: cell system:default/a in x\n')).toEqual({ kind: 'foreign' });
    expect(ownershipOf(`${cellHeader('system:team-a/my.cell', 'dev')}a: 1\n`)).toEqual({
      kind: 'cellplane',
      entityRef: 'system:team-a/my.cell',
    });
  });
});

describe('parseObjects', () => {
  it('reads the objects under the header comment', () => {
    expect(
      parseObjects(
        `${cellHeader(
          'system:default/a',
          'dev',
        )}apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: b\n`,
        'f',
      ),
    ).toEqual([
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a' } },
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'b' } },
    ]);
    expect(parseObjects('# only a comment\n', 'f')).toEqual([]);
  });

  it('names the file when a hand edit broke it', () => {
    expect(() => parseObjects('a: [b\n', '/x/a.yaml')).toThrow(/^\/x\/a.yaml is not valid YAML \(document 1\)/);
    expect(() => parseObjects('apiVersion: v1\n---\n- 1\n', '/x/a.yaml')).toThrow(
      '/x/a.yaml: document 1 is not a Kubernetes object (it needs apiVersion, kind and metadata.name)',
    );
  });
});
