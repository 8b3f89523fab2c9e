import { CellModel } from '@cellplane/cells-common';
import { DesiredCell } from '@cellplane/plugin-cells-node';
import type { EntityChange } from '../catalog/CatalogCellSource';
import { AppliedCellRecord, GoodCompilation } from '../storage/types';
import type { Backoff } from './settle';

/** What the reconciler remembers of one environment's target. */
export interface EnvironmentMemory {
  applied: Map<string, DesiredCell>;
  known: Map<string, AppliedCellRecord>;
  lastGood: Map<string, GoodCompilation>;
  failing: Map<string, Backoff>;
  seen: Set<string>;
  stale: Set<string>;
  carried: Map<string, EntityChange[]>;
  /** Whether the target's own listing has been read into `known`. */
  listed: boolean;
  deferred: string[];
  /** Whether the store's record of this environment has been read (again after a handover). */
  loaded: boolean;
  /** The model this environment's target was last brought to by this replica. */
  appliedModel: CellModel | undefined;
  /** Position in the change log up to which this environment has been reconciled. */
  cursor: number;
}

/** An environment this replica knows nothing of yet (at start, or after another replica reconciled it). */
export function freshMemory(cursor: number): EnvironmentMemory {
  return {
    applied: new Map(),
    known: new Map(),
    lastGood: new Map(),
    failing: new Map(),
    seen: new Set(),
    stale: new Set(),
    carried: new Map(),
    listed: false,
    deferred: [],
    loaded: false,
    appliedModel: undefined,
    cursor,
  };
}

/**
 * The entity changes read from the catalog, by position: each environment
 * reconciles them from its own cursor (environments are passes of their own,
 * possibly on other replicas), and what every cursor has passed is dropped.
 */
export class ChangeLog {
  private entries: EntityChange[] = [];
  /** The position of the first entry kept. */
  start = 0;

  get end(): number {
    return this.start + this.entries.length;
  }

  push(changes: EntityChange[]): void {
    this.entries.push(...changes);
  }

  /** The changes from one position to another (default: the end). */
  since(from: number, to = this.end): EntityChange[] {
    return this.entries.slice(Math.max(0, from - this.start), to - this.start);
  }

  /** Drops what every cursor has passed. */
  trim(cursors: number[]): void {
    const oldest = Math.min(this.end, ...cursors);
    if (oldest > this.start) {
      this.entries = this.entries.slice(oldest - this.start);
      this.start = oldest;
    }
  }
}
