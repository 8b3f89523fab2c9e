import { createHash, randomBytes } from 'node:crypto';
import os from 'node:os';
import { Knex } from 'knex';

/** A held unit's lease: `changedHands` when another replica held the unit since this one last did. */
export interface Lease {
  units: string[];
  changedHands: boolean;
}

/**
 * Backend replicas sharing one database. Each replica beats a heartbeat
 * (cells_replicas); a replica whose heartbeat is older than `staleMs` is
 * gone. Units of work (an environment, a cluster) are leased (cells_leases):
 * a pass holds its units' leases from before it reads the target until after
 * it recorded what it did, the heartbeat renews them meanwhile, and a lease
 * no heartbeat renewed for `staleMs` is free. So two replicas never write one
 * target at once, and a dead replica's units are free within `staleMs`.
 * Which replica runs a unit's scheduled passes is decided by rendezvous
 * hashing over the live replicas: every replica computes the same answer, the
 * units spread between them, and when one goes only its units move.
 */
export class Replicas {
  /** The generation of each unit this replica last acquired it at. */
  private readonly generations = new Map<string, number>();
  private readonly held = new Set<string>();

  constructor(private readonly db: Knex, readonly id: string, private readonly timing: { staleMs: number; now?: () => number }) {}

  /** An id for a replica the config names none for: the host and a random suffix (a restart is a new replica). */
  static generateId(): string {
    return `${os.hostname()}-${randomBytes(4).toString('hex')}`;
  }

  private now(): number {
    return (this.timing.now ?? Date.now)();
  }

  /** Heartbeats older than this are stale. */
  staleBefore(): Date {
    return new Date(this.now() - this.timing.staleMs);
  }

  /** Records that this replica is alive and renews the leases it holds. */
  async beat(): Promise<void> {
    const now = new Date(this.now());
    await this.db('cells_replicas').insert({ replica_id: this.id, started_at: now, heartbeat_at: now }).onConflict('replica_id').merge({ heartbeat_at: now });
    if (this.held.size) {
      await this.db('cells_leases')
        .whereIn('unit', [...this.held])
        .where({ owner: this.id })
        .update({ expires_at: new Date(now.getTime() + this.timing.staleMs) });
    }
  }

  /** Live replica ids (fresh heartbeats), sorted; this one always among them. */
  async live(): Promise<string[]> {
    const rows: { replica_id: string }[] = await this.db('cells_replicas').select('replica_id').where('heartbeat_at', '>=', this.staleBefore());
    return [...new Set([...rows.map(r => r.replica_id), this.id])].sort();
  }

  /** The live replica that runs the unit's scheduled passes. */
  static assignee(unit: string, live: string[]): string {
    let best = '';
    let bestScore = '';
    for (const id of live) {
      const score = createHash('sha256').update(`${unit}\n${id}`).digest('hex');
      if (score > bestScore) [best, bestScore] = [id, score];
    }
    return best;
  }

  /** Whether this replica runs the unit's scheduled passes now. */
  async assigned(unit: string): Promise<boolean> {
    return Replicas.assignee(unit, await this.live()) === this.id;
  }

  /**
   * Takes every unit's lease, or none: a unit is free when no replica holds
   * it or its lease expired (its holder stopped beating). Undefined when
   * another replica holds one.
   */
  async acquire(units: string[]): Promise<Lease | undefined> {
    const taken: string[] = [];
    let changedHands = false;
    for (const unit of [...units].sort()) {
      await this.db('cells_leases')
        .insert({ unit, owner: null, expires_at: new Date(0), generation: 0 })
        .onConflict('unit')
        .ignore();
      const now = this.now();
      const updated = await this.db('cells_leases')
        .where({ unit })
        .andWhere(q => q.whereNull('owner').orWhere('expires_at', '<', new Date(now)))
        .update({ owner: this.id, expires_at: new Date(now + this.timing.staleMs), generation: this.db.raw('generation + 1') });
      if (!updated) {
        await this.release(taken);
        return undefined;
      }
      const row: { generation: number | string } = await this.db('cells_leases').select('generation').where({ unit }).first();
      const generation = Number(row.generation);
      // Acquired at the generation after the one this replica last held: nobody held it in between.
      if (this.generations.get(unit) !== generation - 1) changedHands = true;
      this.generations.set(unit, generation);
      this.held.add(unit);
      taken.push(unit);
    }
    return { units: taken, changedHands };
  }

  /** Whether this replica still holds every unit (it did not stop beating long enough to lose one). */
  async holds(units: string[]): Promise<boolean> {
    const rows: { unit: string }[] = await this.db('cells_leases')
      .select('unit')
      .whereIn('unit', units)
      .where({ owner: this.id })
      .where('expires_at', '>=', new Date(this.now()));
    return rows.length === new Set(units).size;
  }

  /** Leaves the replicas at a graceful stop: the others reassign this one's units at once instead of after `staleMs`. */
  async leave(): Promise<void> {
    await this.db('cells_replicas').where({ replica_id: this.id }).delete();
  }

  async release(units: string[]): Promise<void> {
    if (!units.length) return;
    units.forEach(u => this.held.delete(u));
    await this.db('cells_leases')
      .whereIn('unit', units)
      .where({ owner: this.id })
      .update({ owner: null, expires_at: new Date(0) });
  }
}
