// @ts-check

/*
 * JSON is kept in text columns, not jsonb: PostgreSQL's jsonb reorders object
 * keys, and the compiled objects must come back byte for byte as they were
 * written (the GitOps folder's files are deterministic bytes). `longtext` only
 * matters on MySQL, whose plain text stops at 64 KiB; other dialects ignore it.
 */

/**
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('cells_runs', table => {
    table.comment('Reconcile runs: one row per run, running until finished');
    table.string('run_id', 36).primary().notNullable();
    table.string('state', 16).notNullable().comment('running | succeeded | failed');
    table.string('trigger', 32).notNullable();
    table.string('requested_by').nullable().comment('User entity ref of an API request');
    table.string('entity_ref').nullable().comment('The one cell requested, if any');
    table.timestamp('started_at', { useTz: true }).notNullable();
    table.timestamp('finished_at', { useTz: true }).nullable();
    table.text('cells', 'longtext').nullable().comment('JSON RunCellResult[]');
    table.text('error').nullable();
    table.index(['state'], 'cells_runs_state_idx');
  });

  await knex.schema.createTable('cells_statuses', table => {
    table.comment('The status of each cell in each environment');
    table.string('entity_ref').notNullable();
    table.string('environment').notNullable();
    table.string('namespace').notNullable();
    table.text('target').notNullable().comment('JSON TargetDescription');
    table.string('state', 16).notNullable();
    table.text('message').notNullable();
    table.timestamp('last_reconciled_at', { useTz: true }).nullable();
    table.text('objects', 'longtext').notNullable().comment('JSON ObjectStatus[]');
    table.timestamp('updated_at', { useTz: true }).notNullable();
    table.primary(['entity_ref', 'environment']);
  });

  await knex.schema.createTable('cells_good_compilations', table => {
    table.comment('The last compilation of each cell and environment that passed validation');
    table.string('entity_ref').notNullable();
    table.string('environment').notNullable();
    table.string('namespace').notNullable();
    table.string('hash', 64).notNullable().comment('sha256 of the canonical JSON of objects');
    table.text('objects', 'longtext').notNullable().comment('JSON KubeObject[]');
    table.text('model', 'longtext').notNullable().comment('JSON cell model slice');
    table.timestamp('compiled_at', { useTz: true }).notNullable();
    table.primary(['entity_ref', 'environment']);
  });

  await knex.schema.createTable('cells_history', table => {
    table.comment('Every policy change of a cell in an environment, newest = highest id');
    table.increments('id');
    table.string('entity_ref').notNullable();
    table.string('environment').notNullable();
    table.string('run_id', 36).notNullable();
    table.timestamp('at', { useTz: true }).notNullable();
    table.text('summary').notNullable();
    table.text('cause').notNullable().comment('JSON ChangeCause');
    table.text('created', 'longtext').notNullable().comment('JSON ObjectRef[]');
    table.text('updated', 'longtext').notNullable().comment('JSON ObjectRef[]');
    table.text('pruned', 'longtext').notNullable().comment('JSON ObjectRef[]');
    table.text('access_diff', 'longtext').notNullable().comment('JSON AccessDiffView');
    // One entry per run, cell and environment: a retried run adds nothing twice.
    table.unique(['run_id', 'entity_ref', 'environment'], {
      indexName: 'cells_history_run_cell_env_uniq',
    });
    // Newest-first pages of one cell's history walk this index.
    table.index(['entity_ref', 'id'], 'cells_history_cell_id_idx');
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.dropTable('cells_history');
  await knex.schema.dropTable('cells_good_compilations');
  await knex.schema.dropTable('cells_statuses');
  await knex.schema.dropTable('cells_runs');
};
