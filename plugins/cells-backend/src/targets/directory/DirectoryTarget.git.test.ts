import fs from 'node:fs';
import path from 'node:path';
import { ENV, git, initRepo, setup, tempDir, withObjects } from './__testUtils__/directory';

jest.setTimeout(60_000);

describe('DirectoryTarget with commit: true', () => {
  it('makes one commit per changing apply, of only its files, listing the causes', async () => {
    const root = tempDir('cells-directory-git-');
    const repo = initRepo(path.join(root, 'repo'));
    const folder = path.join(repo, 'gitops', ENV);
    const t = setup({ commit: true, folder });
    // Someone else's work in progress, staged and unstaged: never part of Cellplane's commits.
    fs.writeFileSync(path.join(repo, 'notes.md'), 'draft\n');
    fs.mkdirSync(folder, { recursive: true });
    fs.writeFileSync(path.join(folder, 'README.md'), 'about this folder\n');
    fs.writeFileSync(path.join(repo, 'staged.txt'), 'staged\n');
    git(repo, 'add', 'staged.txt');

    const first = await t.target.apply(t.cells, [], {
      causes: ['startup: 5 cells'],
    });
    expect(first.commit).toMatch(/^[0-9a-f]{40}$/);
    expect(git(repo, 'rev-list', '--count', 'HEAD')).toBe('1');
    expect(git(repo, 'log', '-1', '--format=%an <%ae>|%cn <%ce>')).toBe('Cellplane <cellplane@localhost>|Cellplane <cellplane@localhost>');
    expect(git(repo, 'log', '-1', '--format=%B')).toBe('cellplane: 5 cells created in development\n\n- startup: 5 cells');
    expect(git(repo, 'show', '--name-only', '--format=', 'HEAD').split('\n').sort()).toEqual([
      'gitops/development/deep-space-network.yaml',
      'gitops/development/esa-ops.yaml',
      'gitops/development/houston.yaml',
      'gitops/development/kennedy.yaml',
      'gitops/development/kustomization.yaml',
      'gitops/development/orion.yaml',
    ]);
    // The other changes are still where their owner left them.
    expect(git(repo, 'status', '--porcelain').split('\n').sort()).toEqual(['?? gitops/development/README.md', '?? notes.md', 'A  staged.txt']);

    // Nothing changed: no commit.
    const same = await t.target.apply(t.cells, [], { causes: ['full pass'] });
    expect(same.commit).toBeUndefined();
    expect(git(repo, 'rev-list', '--count', 'HEAD')).toBe('1');

    // Two cells change, one goes: one commit with exactly those files and the causes.
    const houston = t.cell('houston');
    const kennedy = t.cell('kennedy');
    const causes = ['component:default/capcom updated', 'component:default/launch-control updated', 'system:default/orion removed'];
    const second = await t.target.apply([withObjects(houston, houston.objects.slice(1)), withObjects(kennedy, kennedy.objects.slice(1))], [t.cell('orion')], {
      causes,
    });
    expect(second.commit).toMatch(/^[0-9a-f]{40}$/);
    expect(second.commit).not.toBe(first.commit);
    expect(git(repo, 'rev-list', '--count', 'HEAD')).toBe('2');
    expect(git(repo, 'log', '-1', '--format=%B')).toBe(`cellplane: 2 cells updated, 1 cell removed in development\n\n${causes.map(c => `- ${c}`).join('\n')}`);
    expect(git(repo, 'show', '--name-status', '--format=', 'HEAD').split('\n').sort()).toEqual([
      'D\tgitops/development/orion.yaml',
      'M\tgitops/development/houston.yaml',
      'M\tgitops/development/kennedy.yaml',
      'M\tgitops/development/kustomization.yaml',
    ]);
    expect(git(repo, 'status', '--porcelain').split('\n').sort()).toEqual(['?? gitops/development/README.md', '?? notes.md', 'A  staged.txt']);
  });

  it('fails clearly, writing nothing, when the folder is not in a git work tree', async () => {
    const t = setup({ commit: true });
    await expect(t.target.apply(t.cells, [], { causes: ['startup'] })).rejects.toThrow(
      /says commit: true, but .* is not in a git work tree\. Fix: run "git init"/,
    );
    expect(fs.readdirSync(t.folder)).toEqual([]);
    await expect(t.target.start()).rejects.toThrow(/not in a git work tree/);
  });

  it('fails clearly when git ignores the folder', async () => {
    const root = tempDir('cells-directory-ignored-');
    const repo = initRepo(path.join(root, 'repo'));
    fs.writeFileSync(path.join(repo, '.gitignore'), 'gitops/\n');
    const t = setup({ commit: true, folder: path.join(repo, 'gitops', ENV) });
    await expect(t.target.apply(t.cells, [], { causes: ['startup'] })).rejects.toThrow(/git ignores .*Fix: remove the ignore rule, or set commit: false/);
    expect(fs.readdirSync(t.folder)).toEqual([]);
  });

  it('marks written cells as errors when the commit fails, and commits them on the next apply', async () => {
    const root = tempDir('cells-directory-lock-');
    const repo = initRepo(path.join(root, 'repo'));
    const t = setup({ commit: true, folder: path.join(repo, 'gitops', ENV) });
    // Another git process holds the index.
    fs.writeFileSync(path.join(repo, '.git', 'index.lock'), '');
    const blocked = await t.target.apply(t.cells, [], { causes: ['startup'] });
    expect(blocked.commit).toBeUndefined();
    expect(blocked.cells.every(c => c.state === 'error')).toBe(true);
    expect(blocked.cells[0].message).toMatch(/written but not committed: git add failed: .*index\.lock/);
    expect(fs.existsSync(t.file('houston.yaml'))).toBe(true);

    fs.rmSync(path.join(repo, '.git', 'index.lock'));
    const retried = await t.target.apply(t.cells, [], { causes: ['retry'] });
    expect(retried.cells.every(c => c.state === 'in-sync')).toBe(true);
    expect(retried.commit).toMatch(/^[0-9a-f]{40}$/);
    expect(git(repo, 'show', '--name-only', '--format=', 'HEAD').split('\n')).toHaveLength(6);
    // The commit names what changed the files, not the apply that retried it.
    expect(git(repo, 'log', '-1', '--format=%B')).toBe('cellplane: 5 cells created in development\n\n- startup');
    expect(git(repo, 'status', '--porcelain')).toBe('');
  });
});
