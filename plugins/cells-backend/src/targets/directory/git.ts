import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/** Who Cellplane's commits are by. */
export interface GitAuthor {
  name: string;
  email: string;
}

export const DEFAULT_AUTHOR: GitAuthor = {
  name: 'Cellplane',
  email: 'cellplane@localhost',
};

/** A git command that failed, with what git said. */
export class GitError extends Error {}

/**
 * Runs git in `cwd`. The author and committer are fixed through the
 * environment, so commits work without a global git identity and do not
 * borrow the identity of whoever runs the backend; GIT_DIR and friends are
 * dropped so an inherited repository cannot redirect the commit.
 */
function git(cwd: string, args: string[], author: GitAuthor): Promise<string> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    GIT_AUTHOR_NAME: author.name,
    GIT_AUTHOR_EMAIL: author.email,
    GIT_COMMITTER_NAME: author.name,
    GIT_COMMITTER_EMAIL: author.email,
    GIT_TERMINAL_PROMPT: '0',
  };
  for (const key of ['GIT_DIR', 'GIT_WORK_TREE', 'GIT_INDEX_FILE']) {
    delete env[key];
  }
  return new Promise((resolve, reject) => {
    execFile('git', args, { cwd, env, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) {
        const said = String(stderr).trim() || error.message;
        reject(new GitError(`git ${args[0]} failed: ${said}`));
      } else resolve(String(stdout));
    });
  });
}

/**
 * Throws a GitError saying what to do unless `dir` is in a git work tree
 * where `probe` (a file name in `dir`) would not be ignored.
 */
export async function assertCommittable(dir: string, probe: string, why: string): Promise<void> {
  let inside = '';
  try {
    inside = (await git(dir, ['rev-parse', '--is-inside-work-tree'], DEFAULT_AUTHOR)).trim();
  } catch {
    // Not a repository (or no git): reported below.
  }
  if (inside !== 'true') {
    throw new GitError(`${why}, but ${dir} is not in a git work tree. Fix: run "git init" in it (or clone your GitOps repository there), or set commit: false`);
  }
  const ignored = await new Promise<boolean>((resolve, reject) => {
    execFile('git', ['check-ignore', '-q', '--', probe], { cwd: dir }, error => {
      if (!error) resolve(true);
      else if (error.code === 1) resolve(false);
      else reject(new GitError(`git check-ignore failed: ${error.message}`));
    });
  });
  if (ignored) {
    throw new GitError(`${why}, but git ignores ${dir} (see "git check-ignore -v ${probe}" there). Fix: remove the ignore rule, or set commit: false`);
  }
}

/** How a committed file changed: A(dded), M(odified), D(eleted). */
export type CommittedFile = { status: 'A' | 'M' | 'D'; file: string };

/**
 * Commits exactly `files` (names relative to `dir`) as they are in the work
 * tree, and nothing else: other staged or unstaged changes in the repository
 * stay out of the commit. Files whose content already matches HEAD are
 * skipped; with none left, no commit is made.
 */
export async function commitFiles(options: {
  dir: string;
  files: string[];
  message: (committed: CommittedFile[]) => string;
  author: GitAuthor;
}): Promise<{ commit: string; committed: CommittedFile[] } | undefined> {
  const { dir, author } = options;
  const run = (args: string[]) => git(dir, args, author);
  const split = (out: string) => out.split('\0').filter(Boolean);

  // A deleted file can be staged only if git knew it.
  const tracked = new Set(split(await run(['ls-files', '-z', '--', ...options.files])));
  const candidates = options.files.filter(f => tracked.has(f) || fs.existsSync(path.join(dir, f)));
  if (!candidates.length) return undefined;
  await run(['add', '--all', '--', ...candidates]);
  const status = split(await run(['diff', '--cached', '--name-status', '--relative', '--no-renames', '-z', '--', ...candidates]));
  const committed: CommittedFile[] = [];
  for (let i = 0; i + 1 < status.length; i += 2) {
    committed.push({
      status: status[i] as CommittedFile['status'],
      file: status[i + 1],
    });
  }
  if (!committed.length) return undefined;
  await run([
    '-c',
    'commit.gpgsign=false',
    'commit',
    '--quiet',
    '--no-verify',
    '--cleanup=whitespace',
    '-m',
    options.message(committed),
    '--',
    ...committed.map(c => c.file),
  ]);
  const commit = (await run(['rev-parse', 'HEAD'])).trim();
  return { commit, committed };
}
