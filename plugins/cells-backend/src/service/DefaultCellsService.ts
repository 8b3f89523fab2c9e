import { Entity, parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import { InputError, NotFoundError } from '@backstage/errors';
import {
  AttackListQuery,
  AttackListResponse,
  BlastRadiusBody,
  BlastRadiusResponse,
  CellDetail,
  CellEnvironmentStatus,
  CellListResponse,
  CellPlan,
  CellState,
  ComponentProtection,
  HistoryPage,
  KubeObject,
  PreviewBody,
  PreviewResponse,
  ReconcileRun,
  SimulateBody,
  SimulateResponse,
  SimulatedCaller,
  Simulation,
  VerifyReport,
  TopologyResponse,
  AnalyzerInputError,
  AttackQueryError,
  attackPresets,
  blastRadius,
  diffAccess,
  simulateRequest,
  wildcardPrincipals,
} from '@cellplane/cells-common';
import { CellsBackendConfig } from '../config';
import { CellsReconciler } from '../reconciler/CellsReconciler';
import { CellsStore, StoredCellStatus } from '../storage/types';
import { CellTarget } from '../targets/types';
import { CellsService } from './types';
import { ProtectionCache, ServedTopology, SimulationCache, componentViews, grantViews, serveTopology, verifyCellOnce } from './views';
import { previewEntities } from './preview';

interface EnvironmentView {
  sim: Simulation;
  /** Each cell's compiled objects (SimulationCache). */
  objectsOf: Map<string, KubeObject[]>;
  protection?: Map<string, ComponentProtection>;
  topology?: Omit<TopologyResponse, 'cells'> & { cells: Omit<TopologyResponse['cells'][number], 'state' | 'message'>[] };
  /** The last topology answer, serialized; reused while the cells' states are the same. */
  served?: ServedTopology;
}

const UNPROTECTED: ComponentProtection = { l3l4: false, mtls: false, l7: false };
/** Attack presets per answer unless the caller asks for fewer or more (the full list is cells x endpoints x operations). */
export const DEFAULT_ATTACK_LIMIT = 500;
export const MAX_ATTACK_LIMIT = 5000;

/** The cells backend's answers, from the reconciler's snapshot, the store and the targets. */
export class DefaultCellsService implements CellsService {
  private views = new WeakMap<object, Map<string, EnvironmentView>>();
  private readonly verified = new WeakMap<Simulation, Map<string, { report: VerifyReport; at: string }>>();
  /** Protection per cell, kept across catalog snapshots while a cell's compiled objects stay the same. */
  private readonly protections = new ProtectionCache();
  /** Compiles only the cells a catalog change touches. */
  private readonly simulations = new SimulationCache();

  constructor(
    private readonly deps: {
      reconciler: CellsReconciler;
      store: CellsStore;
      config: CellsBackendConfig;
      targets: Map<string, CellTarget>;
      /** Starts a reconcile run for the request; resolves with the run id. */
      requestRun: (request: { entityRef?: string; requestedBy?: string }) => Promise<string>;
    },
  ) {}

  private environments(): string[] {
    return this.deps.config.targets.map(t => t.environment);
  }

  private environmentOrDefault(environment: string | undefined, field = 'environment'): string {
    if (environment === undefined) return this.environments()[0];
    if (!this.environments().includes(environment)) {
      throw new InputError(`${field}: unknown environment ${JSON.stringify(environment)}; configured: ${this.environments().join(', ')}`);
    }
    return environment;
  }

  /** The simulation of the current catalog in one environment, built once per catalog snapshot. */
  private view(environment: string): EnvironmentView {
    const snapshot = this.deps.reconciler.current;
    let byEnv = this.views.get(snapshot);
    if (!byEnv) {
      byEnv = new Map();
      this.views.set(snapshot, byEnv);
    }
    let view = byEnv.get(environment);
    if (!view) {
      view = this.simulations.build(snapshot, this.deps.config.settings, environment);
      byEnv.set(environment, view);
    }
    return view;
  }

  private cellRef(entityRef: string, field = 'entityRef'): string {
    let ref: string;
    try {
      ref = stringifyEntityRef(parseEntityRef(entityRef, { defaultKind: 'system', defaultNamespace: 'default' }));
    } catch {
      throw new InputError(`${field}: ${JSON.stringify(entityRef)} is not an entity ref; use system:<namespace>/<name>`);
    }
    if (!ref.startsWith('system:')) throw new InputError(`${field}: ${entityRef} is not a System; cells are Systems with spec.cell`);
    if (!this.deps.reconciler.current.model.cells.some(c => c.ref === ref)) throw new NotFoundError(`no cell ${ref} in the catalog`);
    return ref;
  }

  /** `<cell>/<component>` or a component entity ref -> component entity ref. */
  private componentRef(value: string, field: string): string {
    const model = this.deps.reconciler.current.model;
    if (value.includes(':')) {
      const found = model.components.find(c => c.ref === value);
      if (!found) throw new InputError(`${field}: no component ${value} in any cell`);
      return found.ref;
    }
    const [cellName, name, extra] = value.split('/');
    const found = model.components.find(c => c.name === name && model.cells.find(cell => cell.ref === c.cell)?.name === cellName);
    if (extra !== undefined || !found) throw new InputError(`${field}: no component ${JSON.stringify(value)}; write <cell>/<component>, e.g. houston/capcom`);
    return found.ref;
  }

  private cellByName(value: string, field: string): string {
    const model = this.deps.reconciler.current.model;
    const found = model.cells.find(c => c.ref === value || c.name === value);
    if (!found) throw new InputError(`${field}: no cell ${JSON.stringify(value)}`);
    return found.ref;
  }

  private statusOf(
    stored: StoredCellStatus | undefined,
    entityRef: string,
    environment: string,
    pending: Set<string>,
  ): { state: CellState; message: string } {
    if (pending.has(entityRef) && stored?.state !== 'error') {
      return { state: 'pending', message: this.deps.reconciler.neverApplied ? 'waiting for the first reconcile' : 'catalog changes wait for the next reconcile' };
    }
    if (!stored) return { state: 'not-applied', message: `not reconciled to ${environment} yet` };
    return { state: stored.state, message: stored.message };
  }

  async listCells(): Promise<CellListResponse> {
    const snapshot = this.deps.reconciler.current;
    const statuses = await this.deps.store.listStatuses({ withObjects: false });
    const byKey = new Map(statuses.map(s => [`${s.environment}|${s.entityRef}`, s]));
    const pending = this.deps.reconciler.pendingCells();
    return {
      items: snapshot.model.cells.map(cell => ({
        entityRef: cell.ref,
        title: snapshot.entities.get(cell.ref)?.metadata.title ?? cell.name,
        owner: cell.owner,
        environments: cell.environments
          .filter(e => this.environments().includes(e))
          .map(environment => {
            const stored = byKey.get(`${environment}|${cell.ref}`);
            const target = this.deps.targets.get(environment)!.description;
            return {
              environment,
              namespace: stored?.namespace || this.view(environment).sim.namespaceOf(cell.ref),
              target,
              ...this.statusOf(stored, cell.ref, environment, pending),
              ...(stored?.lastReconciledAt ? { lastReconciledAt: stored.lastReconciledAt } : {}),
            };
          }),
      })),
    };
  }

  async getCell(entityRef: string): Promise<CellDetail> {
    const ref = this.cellRef(entityRef);
    const snapshot = this.deps.reconciler.current;
    const cell = snapshot.model.cells.find(c => c.ref === ref)!;
    const summary = (await this.listCells()).items.find(i => i.entityRef === ref)!;
    const members = new Set(cell.components);
    const environments: CellEnvironmentStatus[] = [];
    let compliance: CellDetail['compliance'] = {
      components: cell.components.length,
      protectedL3L4: 0,
      protectedMtls: 0,
      protectedL7: 0,
      wildcardPrincipals: 0,
      requestsChecked: 0,
      violations: 0,
    };
    for (const env of summary.environments) {
      const applied = this.deps.reconciler.appliedCell(ref, env.environment);
      const observed = applied ? await this.deps.targets.get(env.environment)!.observe(applied) : undefined;
      environments.push({
        ...env,
        ...(observed && env.state !== 'pending' && env.state !== 'error' ? { state: observed.state, message: observed.message } : {}),
        objects: observed?.objects ?? [],
      });
    }
    const firstEnv = summary.environments[0]?.environment;
    if (firstEnv) {
      const view = this.view(firstEnv);
      view.protection ??= this.protections.of(view.sim);
      const protections = cell.components.map(c => view.protection!.get(c) ?? UNPROTECTED);
      const verified = verifyCellOnce(this.verified, view.sim, ref);
      compliance = {
        components: cell.components.length,
        protectedL3L4: protections.filter(p => p.l3l4).length,
        protectedMtls: protections.filter(p => p.mtls).length,
        protectedL7: protections.filter(p => p.l7).length,
        wildcardPrincipals: wildcardPrincipals(view.sim.objects.filter(o => o.metadata.namespace === view.sim.namespaceOf(ref))),
        requestsChecked: verified.report.checks,
        violations: verified.report.violations.filter((v: { callee: string }) => members.has(v.callee)).length,
        lastVerifiedAt: verified.at,
      };
    }
    return {
      entityRef: ref,
      title: summary.title,
      owner: summary.owner,
      components: componentViews(snapshot.model, snapshot.entities, new Set([ref])),
      grants: grantViews(snapshot.model, g => members.has(g.callee) || (g.caller.kind === 'component' && members.has(g.caller.ref))),
      environments,
      compliance,
      problems: snapshot.held.get(ref) ?? [],
    };
  }

  private cellInEnvironment(entityRef: string, environment: string): string {
    const ref = this.cellRef(entityRef);
    const env = this.environmentOrDefault(environment);
    const cell = this.deps.reconciler.current.model.cells.find(c => c.ref === ref)!;
    if (!cell.environments.includes(env)) throw new NotFoundError(`${ref} is not deployed to ${env}; it lists ${cell.environments.join(', ')}`);
    return ref;
  }

  async getManifests(entityRef: string, environment: string): Promise<KubeObject[]> {
    const ref = this.cellInEnvironment(entityRef, environment);
    const held = this.deps.reconciler.current.held.has(ref);
    const applied = this.deps.reconciler.appliedCell(ref, environment);
    if (held && applied) return applied.objects;
    const compiled = this.deps.reconciler.compile(environment, new Set([ref])).desired.get(ref);
    if (!compiled) throw new NotFoundError(`${ref} does not compile in ${environment}; see its status`);
    return compiled.objects;
  }

  async getPlan(entityRef: string, environment: string): Promise<CellPlan> {
    await this.deps.reconciler.syncCatalog();
    const ref = this.cellInEnvironment(entityRef, environment);
    const reconciler = this.deps.reconciler;
    const { desired } = reconciler.compile(environment, new Set([ref]));
    const cell = desired.get(ref);
    if (!cell) throw new NotFoundError(`${ref} does not compile in ${environment}; see its status`);
    const changes = await this.deps.targets.get(environment)!.plan(cell);
    const applied = reconciler.appliedCell(ref, environment);
    const before = reconciler.appliedState(environment);
    const accessDiff = before
      ? diffAccess(
          { model: before.model, settings: this.deps.config.settings, objects: before.objects },
          {
            model: reconciler.current.model,
            settings: this.deps.config.settings,
            objects: [...before.objects.filter(o => !applied?.objects.includes(o)), ...cell.objects],
          },
          { environment, cells: [ref] },
        )
      : { added: [], removed: [] };
    return { entityRef: ref, environment, namespace: cell.namespace, ...changes, accessDiff };
  }

  requestReconcile(request: { entityRef?: string; requestedBy?: string }): Promise<string> {
    const entityRef = request.entityRef === undefined ? undefined : this.cellRef(request.entityRef);
    return this.deps.requestRun({ ...request, entityRef });
  }

  async getRun(runId: string): Promise<ReconcileRun> {
    const run = await this.deps.store.getRun(runId);
    if (!run) throw new NotFoundError(`no reconcile run ${runId}`);
    return run;
  }

  async listHistory(query: { entityRef?: string; environment?: string; limit: number; cursor?: string }): Promise<HistoryPage> {
    const entityRef = query.entityRef === undefined ? undefined : stringifyEntityRef(parseEntityRef(query.entityRef, { defaultKind: 'system', defaultNamespace: 'default' }));
    if (query.environment !== undefined) this.environmentOrDefault(query.environment);
    try {
      return await this.deps.store.listHistory({ ...query, entityRef });
    } catch (e) {
      if (query.cursor && e instanceof Error && /cursor/i.test(e.message)) throw new InputError(`cursor: ${e.message}`);
      throw e;
    }
  }

  private caller(from: SimulateBody['from'] | BlastRadiusBody['from'], field: string): SimulatedCaller {
    if (typeof from === 'string') return { component: this.componentRef(from, field) };
    if ('rogue' in from) return { rogue: this.cellByName(from.rogue, `${field}.rogue`) };
    if ('gateway' in from && from.gateway === true) return { gateway: true };
    throw new InputError(`${field}: must be "<cell>/<component>", { "rogue": "<cell>" } or { "gateway": true }`);
  }

  async simulate(body: SimulateBody): Promise<SimulateResponse> {
    const environment = this.environmentOrDefault(body.environment);
    const from = this.caller(body.from, 'from');
    const to = this.componentRef(body.to, 'to');
    try {
      const result = simulateRequest(this.view(environment).sim, {
        from,
        to,
        ...(body.endpoint ? { endpoint: body.endpoint } : {}),
        ...(body.method ? { method: body.method.toUpperCase() } : {}),
        ...(body.path ? { path: body.path } : {}),
      });
      return result;
    } catch (e) {
      if (e instanceof AnalyzerInputError) throw new InputError(e.message);
      throw e;
    }
  }

  async topologyJson(environment?: string): Promise<ServedTopology> {
    const env = this.environmentOrDefault(environment);
    // Before the first pass the snapshot is empty: read the catalog now, so the page shows the cells it waits for.
    if (this.deps.reconciler.neverApplied) await this.deps.reconciler.syncCatalog();
    const view = this.view(env);
    if (!view.topology) {
      const snapshot = this.deps.reconciler.current;
      const here = snapshot.model.cells.filter(c => c.environments.includes(env));
      const refs = new Set(here.map(c => c.ref));
      view.protection ??= this.protections.of(view.sim);
      const components = componentViews(snapshot.model, snapshot.entities, refs).map(c => ({ ...c, protection: view.protection!.get(c.entityRef) ?? UNPROTECTED }));
      const cellOf = new Map(components.map(c => [c.entityRef, c.cell]));
      view.topology = {
        environment: env,
        environments: this.environments(),
        cells: here.map(c => ({
          entityRef: c.ref,
          title: snapshot.entities.get(c.ref)?.metadata.title ?? c.name,
          owner: c.owner,
          namespace: view.sim.namespaceOf(c.ref),
          components: c.components,
        })),
        components,
        edges: grantViews(snapshot.model, g => cellOf.has(g.callee) && (g.caller.kind === 'gateway' || cellOf.has(g.caller.ref))).map(
          ({ declaringEntity: _d, field: _f, ...edge }) => edge,
        ),
      };
    }
    const statuses = await this.deps.store.listStatuses({ environment: env, withObjects: false });
    const byRef = new Map(statuses.map(s => [s.entityRef, s]));
    const pending = this.deps.reconciler.pendingCells();
    const states = view.topology.cells.map(c => this.statusOf(byRef.get(c.entityRef), c.entityRef, env, pending));
    // Everything but the states is fixed per catalog snapshot: serialize once per set of states, not per request.
    const key = JSON.stringify(states);
    if (view.served?.key !== key) {
      view.served = serveTopology(key, { ...view.topology, cells: view.topology.cells.map((c, i) => ({ ...c, ...states[i] })) });
    }
    return view.served;
  }

  async topology(environment?: string): Promise<TopologyResponse> {
    return (await this.topologyJson(environment)).response;
  }

  async blastRadius(body: BlastRadiusBody): Promise<BlastRadiusResponse> {
    const environment = this.environmentOrDefault(body.environment);
    const from = this.caller(body.from, 'from');
    if ('gateway' in from) throw new InputError('from: the blast radius is asked of a component or a rogue pod');
    const result = blastRadius(this.view(environment).sim, from);
    return { environment, from: 'component' in from ? from.component : `rogue:${from.rogue}`, ...result };
  }

  async attacks(query: AttackListQuery): Promise<AttackListResponse> {
    const env = this.environmentOrDefault(query.environment);
    try {
      const { rogue, target, limit } = query;
      return { environment: env, ...attackPresets(this.view(env).sim, { rogue, target, limit: limit ?? DEFAULT_ATTACK_LIMIT }) };
    } catch (e) {
      if (e instanceof AttackQueryError) throw new InputError(e.message);
      throw e;
    }
  }

  async preview(body: PreviewBody): Promise<PreviewResponse> {
    const environment = this.environmentOrDefault(body.environment);
    await this.deps.reconciler.syncCatalog();
    return previewEntities({
      snapshot: this.deps.reconciler.current,
      settings: this.deps.config.settings,
      environment,
      entities: body.entities as Entity[],
    });
  }

  async ownerOf(entityRef: string): Promise<string | undefined> {
    try {
      const ref = stringifyEntityRef(parseEntityRef(entityRef, { defaultKind: 'system', defaultNamespace: 'default' }));
      return this.deps.reconciler.current.model.cells.find(c => c.ref === ref)?.owner;
    } catch {
      return undefined;
    }
  }
}
