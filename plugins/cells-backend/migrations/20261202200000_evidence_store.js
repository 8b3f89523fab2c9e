// @ts-check

/*
 * The evidence an auditor asks for (docs/evidence.md): every verification of
 * a cell kept for the audit period, who made each access change and why, and
 * the portal's own audit trail of reads and requests about a cell.
 */

/**
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('cells_verifications', table => {
    table.comment('Each verification of a cell in an environment, kept for cells.compliance.verification.retentionDays');
    table.increments('id');
    table.string('entity_ref').notNullable();
    table.string('environment').notNullable();
    table.timestamp('at', { useTz: true }).notNullable();
    table.string('result', 8).notNullable().comment('pass | fail');
    table.integer('requests_checked').notNullable();
    table.integer('violations').notNullable();
    table.integer('allowed').nullable();
    table.text('denied_by').nullable().comment('JSON { layer: count }');
    table.string('manifests_digest', 64).nullable().comment('sha256 of the manifests judged');
    table.string('cellplane_version').nullable();
    table.string('trigger', 32).nullable().comment('schedule | change | ...');
    table.index(['entity_ref', 'environment', 'at'], 'cells_verifications_cell_at_idx');
    // Pruning walks this one.
    table.index(['at'], 'cells_verifications_at_idx');
  });

  await knex.schema.alterTable('cells_history', table => {
    table.text('change_by').nullable().comment('Who made the change: a template user or a commit author');
    table.text('change_link').nullable().comment('The change: a scaffolder task, pull request or commit');
    table.text('change_reason').nullable().comment('Why, as the change gave it');
  });

  await knex.schema.createTable('cells_audit_events', table => {
    table.comment('The portal audit trail about cells (also sent to the Backstage auditor service)');
    table.increments('id');
    table.timestamp('at', { useTz: true }).notNullable();
    table.string('action', 64).notNullable().comment('reconcile | preview | report-download | enforcement-change');
    table.string('entity_ref').nullable();
    table.string('environment').nullable();
    table.string('actor').notNullable();
    table.string('outcome', 16).notNullable().comment('succeeded | failed');
    table.text('detail').nullable().comment('JSON object');
    table.index(['entity_ref', 'id'], 'cells_audit_events_cell_id_idx');
    table.index(['at'], 'cells_audit_events_at_idx');
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.dropTable('cells_audit_events');
  await knex.schema.alterTable('cells_history', table => {
    table.dropColumn('change_by');
    table.dropColumn('change_link');
    table.dropColumn('change_reason');
  });
  await knex.schema.dropTable('cells_verifications');
};
