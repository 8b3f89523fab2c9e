import { LoggerService } from '@backstage/backend-plugin-api';
import { CellOutcome, DesiredCell } from '@cellplane/plugin-cells-node';
import { commitFiles, CommittedFile, GitAuthor } from './git';
import { KUSTOMIZATION_FILE } from './folder';

const plural = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`;

/** Not `instanceof Error`: errors from Node's own modules may come from another realm. */
export const messageOf = (e: unknown) => (typeof e === 'object' && e !== null && 'message' in e ? String(e.message) : String(e));

/**
 * The commits of a folder with `commit: true`: files written whose commit
 * failed, and why they changed, wait here until the next apply commits them.
 */
export class FolderCommits {
  private readonly uncommitted = new Set<string>();
  private readonly causes = new Set<string>();

  constructor(private readonly options: { dir: string; environment: string; author: GitAuthor; logger: LoggerService }) {}

  /**
   * Commits the files this apply wrote (file name -> the cell it was written
   * for; undefined for the kustomization and deleted files) with any left
   * over. When the commit fails, the cells whose files it held say so.
   */
  async commit(written: Map<string, DesiredCell | undefined>, causes: string[], cells: CellOutcome[]): Promise<{ cells: CellOutcome[]; commit?: string }> {
    for (const file of written.keys()) this.uncommitted.add(file);
    if (!this.uncommitted.size) return { cells };
    if (written.size) causes.forEach(c => this.causes.add(c));
    try {
      const done = await commitFiles({
        dir: this.options.dir,
        files: [...this.uncommitted].sort(),
        message: committed => this.message(committed, [...this.causes]),
        author: this.options.author,
      });
      this.uncommitted.clear();
      this.causes.clear();
      if (!done) return { cells };
      this.options.logger.info(`committed ${done.committed.map(c => c.file).join(', ')} as ${done.commit}`);
      return { cells, commit: done.commit };
    } catch (e) {
      // The files are written; the cells say they are not committed, and the next apply retries.
      const why = `written but not committed: ${messageOf(e)}. The next reconcile retries the commit`;
      this.options.logger.error(`${this.options.dir}: ${why}`);
      const fileOfRef = new Map([...written].flatMap(([name, cell]) => (cell ? [[cell.entityRef, name] as const] : [])));
      return {
        cells: cells.map(c => {
          const name = fileOfRef.get(c.entityRef);
          return name ? { ...c, state: 'error' as const, message: `${name} ${why}` } : c;
        }),
      };
    }
  }

  /** "cellplane: 2 cells updated in development", then one cause per line. */
  private message(committed: CommittedFile[], causes: string[]): string {
    const cellFiles = committed.filter(c => c.file !== KUSTOMIZATION_FILE);
    const count = (status: CommittedFile['status']) => cellFiles.filter(c => c.status === status).length;
    const parts = [
      count('A') && `${plural(count('A'), 'cell')} created`,
      count('M') && `${plural(count('M'), 'cell')} updated`,
      count('D') && `${plural(count('D'), 'cell')} removed`,
    ].filter(Boolean);
    const subject = `cellplane: ${parts.length ? parts.join(', ') : `${KUSTOMIZATION_FILE} updated`} in ${this.options.environment}`;
    const body = causes.map(c => `- ${c.replace(/\s*\n\s*/g, ' ')}`);
    return [subject, ...(body.length ? ['', ...body] : [])].join('\n');
  }
}
