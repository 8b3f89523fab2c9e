import { CellsStore, GoodCompilation, NewHistoryEntry, StoredCellStatus } from '../storage/types';
import { messageOf } from './isolate';

type CellKey = { entityRef: string; environment: string };

const keyOf = (k: CellKey) => `${k.environment}|${k.entityRef}`;

/**
 * What a pass has to write to the store, kept until it is written: a write
 * that fails stays here and goes with the next pass's writes, so a database
 * hiccup delays a status or a history entry but never loses it. The latest
 * word about a cell wins (a status after a deletion, or the other way round).
 */
export class StoreOutbox {
  private readonly statuses = new Map<string, StoredCellStatus>();
  private readonly history = new Map<string, NewHistoryEntry>();
  private readonly goods = new Map<string, GoodCompilation>();
  private readonly deletedStatuses = new Map<string, CellKey>();
  private readonly deletedGoods = new Map<string, CellKey>();
  private readonly deletedApplied = new Map<string, CellKey>();

  get size(): number {
    return [this.statuses, this.history, this.goods, this.deletedStatuses, this.deletedGoods, this.deletedApplied].reduce((n, m) => n + m.size, 0);
  }

  add(writes: { statuses: StoredCellStatus[]; history: NewHistoryEntry[]; goods: GoodCompilation[]; forgotten: CellKey[] }): void {
    for (const s of writes.statuses) {
      this.deletedStatuses.delete(keyOf(s));
      this.statuses.set(keyOf(s), s);
    }
    for (const h of writes.history) this.history.set(`${h.runId}|${keyOf(h)}`, h);
    for (const g of writes.goods) {
      this.deletedGoods.delete(keyOf(g));
      this.goods.set(keyOf(g), g);
    }
    for (const k of writes.forgotten) {
      const key = keyOf(k);
      this.statuses.delete(key);
      this.goods.delete(key);
      this.deletedStatuses.set(key, { entityRef: k.entityRef, environment: k.environment });
      this.deletedGoods.set(key, { entityRef: k.entityRef, environment: k.environment });
      this.deletedApplied.set(key, { entityRef: k.entityRef, environment: k.environment });
    }
  }

  /** A cell recorded as applied again: an older pending deletion of its record must not run after it. */
  recorded(keys: CellKey[]): void {
    keys.forEach(k => this.deletedApplied.delete(keyOf(k)));
  }

  /** Writes everything pending, each kind on its own: what failed stays, and the failures come back in words. */
  async flush(store: CellsStore): Promise<string[]> {
    const errors: string[] = [];
    const step = async <T>(what: string, pending: Map<string, T>, write: (items: T[]) => Promise<void>) => {
      if (!pending.size) return;
      const items = [...pending.entries()];
      try {
        await write(items.map(([, v]) => v));
        // Only what was written leaves: a newer word added meanwhile stays.
        for (const [key, value] of items) if (pending.get(key) === value) pending.delete(key);
      } catch (e) {
        errors.push(`could not save ${what} (${messageOf(e)}); the next pass saves them`);
      }
    };
    await step('good compilations', this.goods, items => store.saveGoodCompilations(items));
    await step('history', this.history, items => store.addHistory(items));
    await step('statuses', this.statuses, items => store.upsertStatuses(items));
    await step('deleted statuses', this.deletedStatuses, items => store.deleteStatuses(items));
    await step('deleted good compilations', this.deletedGoods, items => store.deleteGoodCompilations(items));
    await step('removed cells', this.deletedApplied, items => store.deleteAppliedCells(items));
    return errors;
  }
}
