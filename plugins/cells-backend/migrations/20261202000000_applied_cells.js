// @ts-check

/*
 * What each target may hold: a cell is recorded before its first apply to an
 * environment and forgotten only once its removal from that target succeeded,
 * so a cell deleted while the backend was down is still pruned after a restart.
 */

/**
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('cells_applied', table => {
    table.comment('Cells written (or being written) to each environment target, until their removal succeeded');
    table.string('entity_ref').notNullable();
    table.string('environment').notNullable();
    table.string('cell_name').notNullable();
    table.string('namespace').notNullable().comment('The Kubernetes namespace the cell was applied to');
    table.timestamp('recorded_at', { useTz: true }).notNullable();
    table.primary(['entity_ref', 'environment']);
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.dropTable('cells_applied');
};
