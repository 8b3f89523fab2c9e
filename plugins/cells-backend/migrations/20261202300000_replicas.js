// @ts-check

/*
 * Backend replicas sharing one database: each replica beats a heartbeat, each
 * run names the replica that owns it (a run is abandoned only when its
 * owner's heartbeat is stale), and each unit of work (an environment, a
 * cluster) has a lease that only one replica's pass holds at a time.
 */

/**
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('cells_replicas', table => {
    table.comment('Backend replicas and their last heartbeat');
    table.string('replica_id').primary();
    table.timestamp('started_at', { useTz: true }).notNullable();
    table.timestamp('heartbeat_at', { useTz: true }).notNullable();
  });
  await knex.schema.createTable('cells_leases', table => {
    table.comment('Who holds each unit of work (environment, cluster) while a pass runs');
    table.string('unit').primary();
    table.string('owner').nullable().comment('The replica whose pass holds the unit; null when free');
    table.timestamp('expires_at', { useTz: true }).notNullable().comment("Renewed by the holder's heartbeat; past it, the unit is free");
    table.integer('generation').notNullable().defaultTo(0).comment('Bumped at every acquisition, so a replica knows whether another held the unit since');
  });
  await knex.schema.alterTable('cells_runs', table => {
    table.string('owner').nullable().comment('The replica running it; null for runs recorded before replicas had ids');
    table.string('environment').nullable().comment('The environment a scheduled pass reconciles; null for a run of every environment');
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.alterTable('cells_runs', table => {
    table.dropColumn('owner');
    table.dropColumn('environment');
  });
  await knex.schema.dropTable('cells_leases');
  await knex.schema.dropTable('cells_replicas');
};
