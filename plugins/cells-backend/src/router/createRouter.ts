import express from 'express';
import { InputError } from '@backstage/errors';
import Router from 'express-promise-router';
import { BackstageCredentials, HttpAuthService, HttpRouterServiceAuthPolicy, LoggerService, PermissionsService } from '@backstage/backend-plugin-api';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { bundleMarkdown, EvidenceBundle, EvidencePack, evidenceJson, evidenceMarkdown, toYaml } from '@cellplane/cells-common';
import { evidencePdf } from '@cellplane/cells-report';
import { createOpenApiRouter, spec } from '../schema/openapi';
import { CellsService } from '../service/CellsService';
import { outsideProbe, requestToken } from '../service/simulate';
import { cellsManifestReadPermission, cellsReconcilePermission } from '../permissions';
import { cellAccess } from './access';
import { actorOf, AuditAction, CellsAudit } from '../service/audit';
import { namedValidationErrors } from './errors';

/** The one route open without credentials. */
export const cellsAuthPolicies: HttpRouterServiceAuthPolicy[] = [{ path: '/health', allow: 'unauthenticated' }];

export interface RouterOptions {
  service: CellsService;
  httpAuth: HttpAuthService;
  permissions: PermissionsService;
  logger: LoggerService;
  /** The audit trail (service/audit.ts); absent: nothing is audited (tests of other routes). */
  audit?: CellsAudit;
}

const DEFAULT_HISTORY_LIMIT = 50;

/**
 * The REST API under /api/cells, from the router generated out of
 * src/schema/openapi.yaml: credentials are checked by the httpRouter's barrier
 * (401 without them), every request's path, query and body against the spec
 * (400 naming the field, see ./errors), and the service asks the permission
 * framework about each cell a request touches (403) before working on it.
 * The service's @backstage/errors map to their statuses.
 */
export async function createRouter(options: RouterOptions): Promise<express.Router> {
  const { service, httpAuth, permissions, audit } = options;
  const api = await createOpenApiRouter({ middleware: [express.json({ limit: '100kb' })] });

  // The typed requests of the generated router are express requests with narrower parameters.
  const access = async (req: unknown) => cellAccess(permissions, await httpAuth.credentials(req as express.Request), cellsManifestReadPermission);
  const cellRef = ({ namespace, name }: { namespace: string; name: string }) => stringifyEntityRef({ kind: 'system', namespace, name });

  api.get('/health', (_req, res) => {
    res.json({ status: 'ok' });
  });

  api.get('/cells', async (req, res) => {
    res.json(await service.listCells(await access(req)));
  });

  api.get('/cells/:namespace/:name', async (req, res) => {
    res.json(await service.getCell(cellRef(req.params), await access(req)));
  });

  api.get('/cells/:namespace/:name/manifests', async (req, res) => {
    const objects = await service.getManifests(cellRef(req.params), req.query.environment, await access(req));
    if (req.accepts(['application/json', 'application/yaml']) === 'application/yaml') {
      // The generated types know the JSON answer only.
      (res as express.Response).type('application/yaml').send(toYaml(objects));
    } else {
      res.json({ items: objects });
    }
  });

  api.get('/cells/:namespace/:name/plan', async (req, res) => {
    res.json(await service.getPlan(cellRef(req.params), req.query.environment, await access(req)));
  });

  /** A pack or bundle as a download in the format asked for, named `<name>.evidence.<format>`. */
  const sendEvidence = async (res: unknown, value: EvidencePack | EvidenceBundle, name: string[], format: string) => {
    // The generated types know the JSON answer only.
    const raw = res as express.Response;
    raw.attachment([...name, 'evidence', format].join('.'));
    if (format === 'pdf') raw.type('application/pdf').send(await evidencePdf(value));
    else if (format === 'md') {
      raw.type('text/markdown; charset=utf-8').send(value.kind === 'cellplane.io/evidence-pack' ? evidenceMarkdown(value) : bundleMarkdown(value));
    } else raw.type('application/json').send(evidenceJson(value));
  };

  // Reconcile requests, previews and report downloads go through the audit trail with their caller and outcome.
  const audited = async <T>(
    action: AuditAction,
    req: express.Request,
    context: { cells: string[]; environment?: string; meta?: Record<string, string> },
    run: (credentials: BackstageCredentials) => Promise<T>,
    cellsOf?: (result: T) => string[],
  ): Promise<T> => {
    const credentials = await httpAuth.credentials(req);
    if (!audit) return run(credentials);
    return audit.around(action, { request: req, actor: actorOf(credentials), ...context }, () => run(credentials), cellsOf);
  };

  api.get('/cells/:namespace/:name/verifications', async (req, res) => {
    res.json(await service.verifications(cellRef(req.params), req.query.environment, await access(req)));
  });

  api.get('/cells/:namespace/:name/audit', async (req, res) => {
    const { limit = DEFAULT_HISTORY_LIMIT, cursor } = req.query;
    res.json(await service.auditTrail(cellRef(req.params), { limit, cursor }, await access(req)));
  });

  api.get('/cells/:namespace/:name/report', async (req, res) => {
    const { namespace, name } = req.params;
    const { format = 'json', environment } = req.query;
    const ref = cellRef(req.params);
    const pack = await audited('report-download', req as express.Request, { cells: [ref], environment, meta: { format } }, credentials =>
      service.evidence(ref, environment, cellAccess(permissions, credentials, cellsManifestReadPermission)),
    );
    // A download: the file is named after the cell (and the environment when one was asked for).
    await sendEvidence(res, pack, [namespace, name, ...(environment ? [environment] : [])], format);
  });

  api.get('/report', async (req, res) => {
    const { owner, all, format = 'json', environment } = req.query;
    if ((owner === undefined) === (all !== true)) {
      throw new InputError('owner: name an owner (owner=group:default/<name>) or ask for every cell (all=true), not both and not neither');
    }
    const scope = owner === undefined ? { all: true as const } : { owner };
    // Recorded against every cell the bundle holds.
    const bundle = await audited(
      'report-download',
      req as unknown as express.Request,
      { cells: [], environment, meta: { format, scope: owner ?? 'all' } },
      credentials => service.evidenceBundle(scope, environment, cellAccess(permissions, credentials, cellsManifestReadPermission)),
      result => result.packs.map(p => p.cell.ref),
    );
    // Named after the scope: group-default-houston-flight-ops, or all.
    const scopeName = 'owner' in bundle.scope ? bundle.scope.owner.replace(/[:/]/g, '-') : 'all';
    await sendEvidence(res, bundle, [scopeName, ...(environment ? [environment] : [])], format);
  });

  api.get('/portfolio', async (req, res) => {
    res.json(await service.portfolio(req.query, await access(req)));
  });

  api.post('/reconcile', async (req, res) => {
    const entityRef: string | undefined = req.body?.entityRef;
    const runId = await audited('reconcile', req as express.Request, { cells: entityRef ? [entityRef] : [] }, credentials => {
      const principal = credentials.principal as { userEntityRef?: string; subject?: string };
      const requestedBy = principal.userEntityRef ?? principal.subject ?? 'a service';
      const reconcile = cellAccess(permissions, credentials, cellsReconcilePermission);
      return service.requestReconcile({ entityRef, requestedBy }, reconcile);
    });
    res.status(202).json({ runId });
  });

  api.get('/runs/:runId', async (req, res) => {
    res.json(await service.getRun(req.params.runId, await access(req)));
  });

  api.get('/history', async (req, res) => {
    const { entityRef, environment, cursor, limit } = req.query;
    res.json(await service.listHistory({ entityRef, environment, cursor, limit: limit ?? DEFAULT_HISTORY_LIMIT }, await access(req)));
  });

  api.post('/simulate', async (req, res) => {
    // One destination, and only its kind's fields: what the schema cannot say, refused before the service.
    outsideProbe(req.body);
    requestToken(req.body);
    res.json(await service.simulate(req.body, await access(req)));
  });

  api.post('/blast-radius', async (req, res) => {
    res.json(await service.blastRadius(req.body, await access(req)));
  });

  api.get('/attacks', async (req, res) => {
    res.json(await service.attacks(req.query, await access(req)));
  });

  api.post('/preview', async (req, res) => {
    const preview = await audited(
      'preview',
      req as express.Request,
      { cells: [] },
      credentials => service.preview(req.body, cellAccess(permissions, credentials, cellsManifestReadPermission)),
      // Recorded against the existing cells the change touches (a cell it creates has no trail yet).
      result => result.cells.filter(c => c.exists).map(c => c.entityRef),
    );
    res.json(preview);
  });

  api.get('/traffic', async (req, res) => {
    res.json(await service.traffic(req.query, await access(req)));
  });

  api.get('/rollout', async (req, res) => {
    res.json(await service.rollout(req.query, await access(req)));
  });

  api.get('/topology', async (req, res) => {
    // Sent as serialized (and gzipped) once by the service: at thousands of components, serializing and
    // compressing megabytes per request dominated. The compression middleware leaves encoded bodies alone.
    const served = await service.topology(req.query.environment, await access(req));
    const gzip = req.acceptsEncodings('gzip', 'identity') === 'gzip';
    const { body, etag } = gzip ? served.gzip() : served;
    // Already serialized: sent as bytes, which the generated types do not describe.
    const raw = res as express.Response;
    raw.vary('Accept-Encoding').set('ETag', etag).type('application/json');
    if (gzip) raw.set('Content-Encoding', 'gzip');
    raw.send(body);
  });

  const router = Router();
  router.use(api);
  router.use(namedValidationErrors(spec));
  return router;
}
