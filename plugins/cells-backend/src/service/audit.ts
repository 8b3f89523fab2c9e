import { AuditorService, AuditorServiceEventSeverityLevel, BackstageCredentials } from '@backstage/backend-plugin-api';
import type { JsonObject } from '@backstage/types';
import type { Request } from 'express';
import type { EvidenceStore, NewAuditEvent } from '../storage';

/** What the portal's audit trail records about cells (docs/evidence.md). */
export type AuditAction = 'reconcile' | 'preview' | 'report-download' | 'enforcement-change';

const SEVERITY: Record<AuditAction, AuditorServiceEventSeverityLevel> = {
  reconcile: 'medium',
  preview: 'low',
  'report-download': 'medium',
  'enforcement-change': 'high',
};

/** The caller as the audit trail names it: a user entity ref, a service's subject, or `anonymous`. */
export function actorOf(credentials: BackstageCredentials): string {
  const principal = credentials.principal as { type?: string; userEntityRef?: string; subject?: string };
  if (principal.userEntityRef) return principal.userEntityRef;
  if (principal.subject) return principal.subject;
  return 'anonymous';
}

/**
 * Records each audited action twice: through Backstage's auditor service
 * (coreServices.auditor: the portal's own audit log, with the request and
 * its caller) and in the cells database, where `GET /cells/{ns}/{name}/audit`
 * lists a cell's events. A trail that cannot be written fails the request:
 * no audited action goes unrecorded.
 */
export class CellsAudit {
  private readonly now: () => number;

  constructor(private readonly deps: { auditor?: AuditorService; store: EvidenceStore; now?: () => number }) {
    this.now = deps.now ?? Date.now;
  }

  /** Runs `action` and records it against `cells` (or the cells `cellsOf` its result names) with its outcome. */
  async around<T>(
    action: AuditAction,
    context: { request?: Request<any, any, any, any, any>; actor: string; cells: string[]; environment?: string; meta?: JsonObject },
    run: () => Promise<T>,
    cellsOf?: (result: T) => string[],
  ): Promise<T> {
    const meta: JsonObject = { ...(context.meta ?? {}), ...(context.cells.length ? { cells: context.cells } : {}) };
    const event = await this.deps.auditor?.createEvent({ eventId: action, severityLevel: SEVERITY[action], request: context.request, meta });
    let result: T;
    try {
      result = await run();
    } catch (e) {
      const error = e instanceof Error ? e : new Error(String(e));
      await this.store(action, context, context.cells, 'failed', { error: error.message });
      await event?.fail({ error });
      throw e;
    }
    const cells = cellsOf ? [...new Set([...context.cells, ...cellsOf(result)])] : context.cells;
    await this.store(action, context, cells, 'succeeded');
    await event?.success({ meta: { cells } });
    return result;
  }

  /** Events the backend itself saw (an enforcement change the reconciler applied), without a request. */
  async record(events: Omit<NewAuditEvent, 'at'>[]): Promise<void> {
    if (events.length === 0) return;
    const at = new Date(this.now()).toISOString();
    for (const e of events) {
      const event = await this.deps.auditor?.createEvent({
        eventId: e.action,
        severityLevel: SEVERITY[e.action as AuditAction] ?? 'medium',
        meta: {
          actor: e.actor,
          ...(e.entityRef ? { entityRef: e.entityRef } : {}),
          ...(e.environment ? { environment: e.environment } : {}),
          ...((e.detail as JsonObject) ?? {}),
        },
      });
      await event?.success();
    }
    await this.deps.store.addAuditEvents(events.map(e => ({ ...e, at })));
  }

  private async store(
    action: AuditAction,
    context: { actor: string; environment?: string; meta?: JsonObject },
    cells: string[],
    outcome: 'succeeded' | 'failed',
    extra: Record<string, unknown> = {},
  ): Promise<void> {
    const at = new Date(this.now()).toISOString();
    const detail = { ...(context.meta ?? {}), ...extra };
    const base = {
      at,
      action,
      actor: context.actor,
      outcome,
      ...(context.environment ? { environment: context.environment } : {}),
      ...(Object.keys(detail).length ? { detail } : {}),
    };
    // An action about no one cell (a reconcile of all) is kept once, without a cell.
    await this.deps.store.addAuditEvents(cells.length ? cells.map(entityRef => ({ ...base, entityRef })) : [base]);
  }
}
