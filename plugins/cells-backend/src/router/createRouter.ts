import express from 'express';
import Router from 'express-promise-router';
import { HttpAuthService, HttpRouterServiceAuthPolicy, LoggerService, PermissionsService } from '@backstage/backend-plugin-api';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { InputError, NotAllowedError } from '@backstage/errors';
import { AuthorizeResult, BasicPermission, ResourcePermission } from '@backstage/plugin-permission-common';
import { AttackListQuery, toYaml } from '@cellplane/cells-common';
import { CellsService } from '../service/types';
import { MAX_ATTACK_LIMIT } from '../service/DefaultCellsService';
import { cellsManifestReadPermission, cellsReconcilePermission } from '../permissions';
import { validateBody, validateQuery } from './validation';

/** The one route open without credentials. */
export const cellsAuthPolicies: HttpRouterServiceAuthPolicy[] = [{ path: '/health', allow: 'unauthenticated' }];

export interface RouterOptions {
  service: CellsService;
  httpAuth: HttpAuthService;
  permissions: PermissionsService;
  logger: LoggerService;
}

const DEFAULT_HISTORY_LIMIT = 50;

/**
 * The REST API under /api/cells (openapi.yaml describes it). Credentials are
 * checked by the httpRouter's barrier (401 without them), input shape here
 * (400 naming the field), permissions on the cell's catalog entity (403);
 * the service answers, and its @backstage/errors map to their statuses.
 */
export async function createRouter(options: RouterOptions): Promise<express.Router> {
  const { service, httpAuth, permissions } = options;
  const router = Router();
  router.use(express.json({ limit: '100kb' }));

  const authorize = async (req: express.Request, permission: ResourcePermission | BasicPermission, entityRef: string) => {
    const credentials = await httpAuth.credentials(req);
    const [decision] = await permissions.authorize([{ permission, resourceRef: entityRef } as any], { credentials });
    if (decision.result !== AuthorizeResult.ALLOW) {
      throw new NotAllowedError(`${permission.name} is not allowed on ${entityRef}`);
    }
  };
  const cellRef = (req: express.Request) => stringifyEntityRef({ kind: 'system', namespace: req.params.namespace, name: req.params.name });

  router.get('/health', (_req, res) => {
    res.json({ status: 'ok' });
  });

  router.get('/cells', async (_req, res) => {
    res.json(await service.listCells());
  });

  router.get('/cells/:namespace/:name', async (req, res) => {
    res.json(await service.getCell(cellRef(req)));
  });

  router.get('/cells/:namespace/:name/manifests', async (req, res) => {
    const { environment } = validateQuery(req.query, { environment: 'string' }, ['environment']);
    const ref = cellRef(req);
    await authorize(req, cellsManifestReadPermission, ref);
    const objects = await service.getManifests(ref, environment as string);
    if (req.accepts(['application/json', 'application/yaml']) === 'application/yaml') {
      res.type('application/yaml').send(toYaml(objects));
    } else {
      res.json({ items: objects });
    }
  });

  router.get('/cells/:namespace/:name/plan', async (req, res) => {
    const { environment } = validateQuery(req.query, { environment: 'string' }, ['environment']);
    const ref = cellRef(req);
    await authorize(req, cellsManifestReadPermission, ref);
    res.json(await service.getPlan(ref, environment as string));
  });

  router.post('/reconcile', async (req, res) => {
    const body = validateBody(req.body ?? {}, { entityRef: 'string' }, []);
    const credentials = await httpAuth.credentials(req);
    const principal = credentials.principal as { userEntityRef?: string; subject?: string };
    const requestedBy = principal.userEntityRef ?? principal.subject ?? 'a service';
    if (body.entityRef !== undefined) {
      await authorize(req, cellsReconcilePermission, body.entityRef as string);
    } else {
      // All cells: allowed only when the caller may reconcile every one of them.
      const { items } = await service.listCells();
      for (const cell of items) await authorize(req, cellsReconcilePermission, cell.entityRef);
    }
    const runId = await service.requestReconcile({ entityRef: body.entityRef as string | undefined, requestedBy });
    res.status(202).json({ runId });
  });

  router.get('/runs/:runId', async (req, res) => {
    res.json(await service.getRun(req.params.runId));
  });

  router.get('/history', async (req, res) => {
    const query = validateQuery(req.query, { entityRef: 'string', environment: 'string', cursor: 'string', limit: 'integer' }, []);
    const limit = (query.limit as number | undefined) ?? DEFAULT_HISTORY_LIMIT;
    if (limit < 1 || limit > 500) throw new InputError('limit: must be an integer from 1 to 500');
    res.json(
      await service.listHistory({
        limit,
        ...(query.entityRef !== undefined ? { entityRef: query.entityRef as string } : {}),
        ...(query.environment !== undefined ? { environment: query.environment as string } : {}),
        ...(query.cursor !== undefined ? { cursor: query.cursor as string } : {}),
      }),
    );
  });

  router.post('/simulate', async (req, res) => {
    const body = validateBody(req.body, { environment: 'string', from: 'caller', to: 'string', endpoint: 'string', method: 'string', path: 'string' }, ['from', 'to']);
    res.json(await service.simulate(body as any));
  });

  router.post('/blast-radius', async (req, res) => {
    const body = validateBody(req.body, { environment: 'string', from: 'caller' }, ['from']);
    res.json(await service.blastRadius(body as any));
  });

  router.get('/attacks', async (req, res) => {
    const query = validateQuery(req.query, { environment: 'string', rogue: 'string', target: 'string', limit: 'integer' }, []);
    const limit = query.limit as number | undefined;
    if (limit !== undefined && (limit < 1 || limit > MAX_ATTACK_LIMIT)) throw new InputError(`limit: must be an integer from 1 to ${MAX_ATTACK_LIMIT}`);
    res.json(await service.attacks(query as AttackListQuery));
  });

  router.post('/preview', async (req, res) => {
    const body = validateBody(req.body, { entities: 'entities', environment: 'string' }, ['entities']);
    const preview = await service.preview(body as any);
    // The answer holds the touched cells' manifests: the same permission as reading them, per cell
    // that exists (a cell the change creates is only what the caller sent).
    for (const cell of preview.cells) {
      if (cell.exists) await authorize(req, cellsManifestReadPermission, cell.entityRef);
    }
    res.json(preview);
  });

  router.get('/topology', async (req, res) => {
    const { environment } = validateQuery(req.query, { environment: 'string' }, []);
    if (!service.topologyJson) {
      res.json(await service.topology(environment as string | undefined));
      return;
    }
    // Sent as serialized (and gzipped) once by the service: at thousands of components, serializing and
    // compressing megabytes per request dominated. The compression middleware leaves encoded bodies alone.
    const served = await service.topologyJson(environment as string | undefined);
    const gzip = req.acceptsEncodings('gzip', 'identity') === 'gzip';
    const { body, etag } = gzip ? served.gzip() : served;
    res.vary('Accept-Encoding').set('ETag', etag).type('application/json');
    if (gzip) res.set('Content-Encoding', 'gzip');
    res.send(body);
  });

  return router;
}
