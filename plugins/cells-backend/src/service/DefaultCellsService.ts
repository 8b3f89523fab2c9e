import { ConflictError, InputError, NotFoundError } from '@backstage/errors';
import { EvidenceBundle, EvidencePack, KubeObject, Simulation, cellNamespace } from '@cellplane/cells-common';
import { CellsBackendConfig } from '../config';
import type { CatalogSnapshot } from '../reconciler/types';
import { CellsStore } from '../storage/types';
import { CellTarget } from '../targets/types';
import type {
  AttackListResponse,
  AuditPage,
  VerificationList,
  BlastRadiusBody,
  BlastRadiusResponse,
  CellDetail,
  CellEnvironmentStatus,
  CellFailure,
  CellListResponse,
  CellPlan,
  HistoryPage,
  PortfolioResponse,
  PreviewBody,
  PreviewResponse,
  Reach,
  ReconcileRun,
  SimulateBody,
  SimulateResponse,
  TrafficResponse,
} from '../schema/types';
import { CompileCells, CompiledView, holdersKey } from './analysis';
import { Analyst, EnvironmentView } from './analyst';
import { AnalysisRunner, InlineAnalysis } from '../workers/pool';
import { AttackListQuery, CellAccess, CellsService, HistoryQuery, ReconcilerReads } from './CellsService';
import { cellEvidencePack, cellsEvidenceBundle, KeptEvidence, keptAuditTrail, keptVerifications, ownerCells } from './evidence';
import { portfolio, PortfolioQuery } from './portfolio';
import { cellStateOf, noCompliance } from './compliance';
import { checkPreviewEntities, existingCellsTouched } from './preview';
import { previewWindow } from './previewTraffic';
import { ModelRefs, parseCellRef } from './refs';
import { outsideProbe } from './simulate';
import { DEFAULT_TOPOLOGY_ANSWERS_MIB, ServedTopology, TopologyAnswerCache, TopologyAnswers, TopologyBase, visibleTopology } from './topology';
import { rolloutAnswer, RolloutQuery } from './rollout';
import { planAccessDiff } from './plan';
import { observedTraffic, TrafficQuery, TrafficTask } from './traffic';
import { componentViews, grantViews } from './views';

/** One environment's topology of one catalog snapshot (and holders): built once, served per set of cells shown and states. */
interface TopologyOfSnapshot {
  holders: string;
  base: Promise<TopologyBase>;
  answers: TopologyAnswers;
}

/** Attack presets per answer unless the caller asks for fewer or more (the full list is cells x endpoints x operations). */
export const DEFAULT_ATTACK_LIMIT = 500;

export interface CellsServiceDeps {
  reconciler: ReconcilerReads;
  store: CellsStore;
  config: CellsBackendConfig;
  targets: Map<string, CellTarget>;
  /** Starts a reconcile run for the request; resolves with the run id. */
  requestRun: (request: { entityRef?: string; requestedBy?: string }) => Promise<string>;
  /** The compiler the analysis views use (default: the core's compileCells). */
  compile?: CompileCells;
  /** Where the heavy analysis calls run (default: inline, on the event loop). */
  analysis?: AnalysisRunner;
  /** The kept verification runs and audit trail (absent: none are kept, and the pack says so). */
  evidence?: KeptEvidence;
}

/** The cells backend's answers, from the reconciler's snapshot, the store and the targets. */
export class DefaultCellsService implements CellsService {
  /** The analysis on this thread: the calls the runner does not take (evidence, attacks, the plan's diff). */
  private readonly analyst: Analyst;
  /** Compliance, blast radius, simulation, topology and preview: inline or in worker threads. */
  private readonly runner: AnalysisRunner;
  private readonly topologies = new WeakMap<CatalogSnapshot, Map<string, TopologyOfSnapshot>>();
  /** Every served topology answer, bounded in bytes. */
  private readonly answerCache: TopologyAnswerCache;
  /** The answers of callers who may read no cell. */
  private readonly emptyAnswers: TopologyAnswers;

  constructor(private readonly deps: CellsServiceDeps) {
    this.runner = deps.analysis ?? new InlineAnalysis(new Analyst(deps.config.settings, deps.compile));
    this.analyst = this.runner instanceof InlineAnalysis ? this.runner.analyst : new Analyst(deps.config.settings, deps.compile);
    this.answerCache = new TopologyAnswerCache((deps.config.caches?.topologyAnswersMiB ?? DEFAULT_TOPOLOGY_ANSWERS_MIB) * 2 ** 20);
    this.emptyAnswers = this.answerCache.scope();
  }

  private get settings() {
    return this.deps.config.settings;
  }

  private get snapshot() {
    return this.deps.reconciler.current;
  }

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

  /** The analysis view of the current catalog in one environment (on this thread). */
  private view(environment: string): EnvironmentView {
    return this.analyst.view(this.snapshot, environment, this.deps.reconciler.holders(environment));
  }

  /** The view's simulation once the analyzer accepts it; a cell asked about that it had to leave out is a 409. */
  private analysis(view: EnvironmentView, environment: string, cells: string[]): Simulation {
    return this.analyst.analysis(this.snapshot, view, environment, cells);
  }

  /** What every analysis task names: the environment and the reconciler's holders there. */
  private inEnvironment(environment: string) {
    return { environment, holders: this.deps.reconciler.holders(environment) };
  }

  /** `{ failures }` of the cells the caller may read that the view had to leave out; `{}` when none. */
  private async failuresFor(view: Pick<CompiledView, 'failures'>, read: CellAccess): Promise<{ failures?: CellFailure[] }> {
    if (view.failures.size === 0) return {};
    const may = await read.filter(view.failures.keys());
    const failures = [...view.failures].filter(([ref]) => may(ref)).map(([entityRef, message]) => ({ entityRef, message }));
    return failures.length > 0 ? { failures } : {};
  }

  /** A cell ref of the current catalog, after the caller was allowed to read it (NotFoundError when there is none). */
  private async readableCell(value: string, read: CellAccess, field = 'entityRef'): Promise<string> {
    const ref = parseCellRef(value, field);
    await read.require([ref]);
    if (!new ModelRefs(this.snapshot.model).hasCell(ref)) throw new NotFoundError(`no cell ${ref} in the catalog`);
    return ref;
  }

  async listCells(read: CellAccess): Promise<CellListResponse> {
    const snapshot = this.snapshot;
    const may = await read.filter(snapshot.model.cells.map(c => c.ref));
    const statuses = await this.deps.store.listStatuses({ withObjects: false });
    const byKey = new Map(statuses.map(s => [`${s.environment}|${s.entityRef}`, s]));
    const pending = this.deps.reconciler.pendingCells();
    return {
      items: snapshot.model.cells
        .filter(cell => may(cell.ref))
        .map(cell => ({
          entityRef: cell.ref,
          title: snapshot.entities.get(cell.ref)?.metadata.title ?? cell.name,
          owner: cell.owner,
          environments: cell.environments
            .filter(e => this.environments().includes(e))
            .map(environment => {
              const stored = byKey.get(`${environment}|${cell.ref}`);
              return {
                environment,
                namespace: stored?.namespace || cellNamespace(this.settings, cell, environment),
                target: this.deps.targets.get(environment)!.description,
                ...cellStateOf(this.deps.reconciler.neverApplied, stored, cell.ref, environment, pending),
                ...(stored?.lastReconciledAt ? { lastReconciledAt: stored.lastReconciledAt } : {}),
              };
            }),
        })),
    };
  }

  async getCell(entityRef: string, read: CellAccess): Promise<CellDetail> {
    const ref = await this.readableCell(entityRef, read);
    const snapshot = this.snapshot;
    const cell = snapshot.model.cells.find(c => c.ref === ref)!;
    const summary = (await this.listCells(read)).items.find(i => i.entityRef === ref)!;
    const members = new Set(cell.components);
    const environments: CellEnvironmentStatus[] = [];
    for (const env of summary.environments) {
      const applied = this.deps.reconciler.appliedCell(ref, env.environment);
      const observed = applied ? await this.deps.targets.get(env.environment)!.observe(applied) : undefined;
      environments.push({
        ...env,
        ...(observed && env.state !== 'pending' && env.state !== 'error' ? { state: observed.state, message: observed.message } : {}),
        objects: observed?.objects ?? [],
      });
    }
    const { compliance, failure } = await this.compliance(ref, members, summary.environments[0]?.environment);
    return {
      entityRef: ref,
      title: summary.title,
      owner: summary.owner,
      components: componentViews(snapshot.model, snapshot.entities, new Set([ref])),
      grants: grantViews(snapshot.model, g => members.has(g.callee) || (g.caller.kind === 'component' && members.has(g.caller.ref))),
      environments,
      compliance,
      problems: snapshot.held.get(ref) ?? [],
      ...(failure ? { failure } : {}),
    };
  }

  /** The compliance summary of a cell in its first environment; a cell that cannot be analysed counts nothing as protected. */
  private async compliance(
    ref: string,
    members: Set<string>,
    environment: string | undefined,
  ): Promise<{ compliance: CellDetail['compliance']; failure?: string }> {
    if (!environment) return { compliance: noCompliance(members) };
    return this.runner.run(this.snapshot, 'compliance', { ...this.inEnvironment(environment), cell: ref });
  }

  private async cellInEnvironment(entityRef: string, environment: string, read: CellAccess): Promise<string> {
    const env = this.environmentOrDefault(environment);
    const ref = await this.readableCell(entityRef, read);
    const cell = this.snapshot.model.cells.find(c => c.ref === ref)!;
    if (!cell.environments.includes(env)) throw new NotFoundError(`${ref} is not deployed to ${env}; it lists ${cell.environments.join(', ')}`);
    return ref;
  }

  /** One cell compiled now; its failure to compile is a 409 about that cell. */
  private compileOne(ref: string, environment: string) {
    try {
      return this.deps.reconciler.compile(environment, new Set([ref])).desired.get(ref);
    } catch (e) {
      throw new ConflictError(`${ref} cannot be compiled in ${environment}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  async getManifests(entityRef: string, environment: string, read: CellAccess): Promise<KubeObject[]> {
    const ref = await this.cellInEnvironment(entityRef, environment, read);
    const held = this.snapshot.held.has(ref);
    const applied = this.deps.reconciler.appliedCell(ref, environment);
    if (held && applied) return applied.objects;
    const compiled = this.compileOne(ref, environment);
    if (!compiled) throw new NotFoundError(`${ref} does not compile in ${environment}; see its status`);
    return compiled.objects;
  }

  async evidence(entityRef: string, environment: string | undefined, read: CellAccess): Promise<EvidencePack> {
    const ref = environment === undefined ? await this.readableCell(entityRef, read) : await this.cellInEnvironment(entityRef, environment, read);
    const snapshot = this.snapshot;
    const cell = snapshot.model.cells.find(c => c.ref === ref)!;
    const environments = environment === undefined ? cell.environments.filter(e => this.environments().includes(e)) : [environment];
    const simulation = (env: string) => this.analysis(this.view(env), env, [ref]);
    return cellEvidencePack({
      entityRef: ref,
      environments,
      snapshot,
      settings: this.settings,
      store: this.deps.store,
      verifications: this.deps.evidence?.verifications,
      simulation,
      generatedAt: new Date().toISOString(),
    });
  }

  async evidenceBundle(scope: { owner: string } | { all: true }, environment: string | undefined, read: CellAccess): Promise<EvidenceBundle> {
    const env = environment === undefined ? undefined : this.environmentOrDefault(environment);
    const snapshot = this.snapshot;
    const cells = ownerCells(snapshot.model, scope);
    await read.require(cells);
    const environments = env ? [env] : this.environments();
    return cellsEvidenceBundle({
      scope,
      cells,
      environments,
      snapshot,
      settings: this.settings,
      store: this.deps.store,
      verifications: this.deps.evidence?.verifications,
      simulation: e => this.analysis(this.view(e), e, cells),
      generatedAt: new Date().toISOString(),
    });
  }

  async portfolio(query: PortfolioQuery, read: CellAccess): Promise<PortfolioResponse> {
    const environments = query.environment === undefined ? this.environments() : [this.environmentOrDefault(query.environment)];
    if (this.deps.reconciler.neverApplied) await this.deps.reconciler.syncCatalog();
    const snapshot = this.snapshot;
    return portfolio({
      model: snapshot.model,
      titles: ref => snapshot.entities.get(ref)?.metadata.title,
      environments,
      trafficSources: this.deps.config.trafficSources,
      store: this.deps.store,
      compliance: (cell, environment) => this.runner.run(snapshot, 'compliance', { ...this.inEnvironment(environment), cell }),
      classify: task => this.runner.run(snapshot, 'traffic', task),
      query,
      read,
      now: Date.now(),
    });
  }

  async verifications(entityRef: string, environment: string | undefined, read: CellAccess): Promise<VerificationList> {
    const ref = environment === undefined ? await this.readableCell(entityRef, read) : await this.cellInEnvironment(entityRef, environment, read);
    return keptVerifications(this.deps.evidence, ref, environment);
  }

  async auditTrail(entityRef: string, query: { limit: number; cursor?: string }, read: CellAccess): Promise<AuditPage> {
    return keptAuditTrail(this.deps.evidence, await this.readableCell(entityRef, read), query);
  }

  async getPlan(entityRef: string, environment: string, read: CellAccess): Promise<CellPlan> {
    await this.cellInEnvironment(entityRef, environment, read);
    await this.deps.reconciler.syncCatalog();
    const ref = await this.cellInEnvironment(entityRef, environment, read);
    const reconciler = this.deps.reconciler;
    const cell = this.compileOne(ref, environment);
    if (!cell) throw new NotFoundError(`${ref} does not compile in ${environment}; see its status`);
    const changes = await this.deps.targets.get(environment)!.plan(cell);
    const applied = reconciler.appliedCell(ref, environment);
    const before = reconciler.appliedState(environment);
    if (!before) return { entityRef: ref, environment, namespace: cell.namespace, ...changes, accessDiff: { added: [], removed: [] } };
    const accessDiff = planAccessDiff({
      settings: this.settings,
      environment,
      ref,
      before,
      applied: applied?.objects,
      compiled: cell.objects,
      current: reconciler.current.model,
      view: () => this.view(environment),
    });
    return { entityRef: ref, environment, namespace: cell.namespace, ...changes, accessDiff };
  }

  async requestReconcile(request: { entityRef?: string; requestedBy?: string }, reconcile: CellAccess): Promise<string> {
    if (request.entityRef === undefined) {
      // All cells: allowed only when the caller may reconcile every one of them.
      await reconcile.require(this.snapshot.model.cells.map(c => c.ref));
      return this.deps.requestRun({ requestedBy: request.requestedBy });
    }
    const entityRef = await this.readableCell(request.entityRef, reconcile);
    return this.deps.requestRun({ ...request, entityRef });
  }

  async getRun(runId: string, read: CellAccess): Promise<ReconcileRun> {
    const run = await this.deps.store.getRun(runId);
    if (!run) throw new NotFoundError(`no reconcile run ${runId}`);
    const may = await read.filter(run.cells.map(c => c.entityRef));
    return { ...run, cells: run.cells.filter(c => may(c.entityRef)) };
  }

  async listHistory(query: HistoryQuery, read: CellAccess): Promise<HistoryPage> {
    if (query.environment !== undefined) this.environmentOrDefault(query.environment);
    const entityRef = query.entityRef === undefined ? undefined : parseCellRef(query.entityRef, 'entityRef');
    // One cell: its history needs the permission. All: each entry only if its cell may be read.
    if (entityRef) await read.require([entityRef]);
    let page: HistoryPage;
    try {
      page = await this.deps.store.listHistory({ ...query, entityRef });
    } catch (e) {
      if (query.cursor && e instanceof Error && /cursor/i.test(e.message)) throw new InputError(`cursor: ${e.message}`);
      throw e;
    }
    if (entityRef) return page;
    const may = await read.filter(page.items.map(i => i.entityRef));
    return { ...page, items: page.items.filter(i => may(i.entityRef)) };
  }

  async simulate(body: SimulateBody, read: CellAccess): Promise<SimulateResponse> {
    const environment = this.environmentOrDefault(body.environment);
    const refs = new ModelRefs(this.snapshot.model);
    const from = refs.caller(body.from, 'from');
    const outside = outsideProbe(body);
    const to = outside ? undefined : refs.component(body.to!, 'to');
    const cells = [to?.cell, from.cell].filter((c): c is string => c !== undefined);
    await read.require(cells);
    return this.runner.run(this.snapshot, 'simulate', { ...this.inEnvironment(environment), from: from.caller, body, to: outside ?? to!.ref, cells });
  }

  async topology(environment: string | undefined, read: CellAccess): Promise<ServedTopology> {
    const env = this.environmentOrDefault(environment);
    // Before the first pass the snapshot is empty: read the catalog now, so the page shows the cells it waits for.
    if (this.deps.reconciler.neverApplied) await this.deps.reconciler.syncCatalog();
    // Nothing to show this caller: answered without compiling or analysing anything.
    const here = this.snapshot.model.cells.filter(c => c.environments.includes(env)).map(c => c.ref);
    const may = await read.filter(here);
    const topology = here.some(may) ? this.topologyOf(env) : undefined;
    const base = topology
      ? await topology.base
      : { environment: env, environments: this.environments(), cells: [], components: [], edges: [], externals: [], egress: [] };
    const shown = visibleTopology(base, may);
    const statuses = await this.deps.store.listStatuses({ environment: env, withObjects: false });
    const byRef = new Map(statuses.map(s => [s.entityRef, s]));
    const pending = this.deps.reconciler.pendingCells();
    // Everything but the states is fixed per catalog snapshot: serialized once per set of cells shown and states.
    return (topology?.answers ?? this.emptyAnswers).answer(
      shown,
      shown.cells.map(c => cellStateOf(this.deps.reconciler.neverApplied, byRef.get(c.entityRef), c.entityRef, env, pending)),
    );
  }

  /** The environment's topology of the current snapshot and holders, asked for once however many pollers wait for it. */
  private topologyOf(environment: string): TopologyOfSnapshot {
    const snapshot = this.snapshot;
    let byEnv = this.topologies.get(snapshot);
    if (!byEnv) this.topologies.set(snapshot, (byEnv = new Map()));
    const input = { ...this.inEnvironment(environment), environments: this.environments() };
    const holders = holdersKey(input.holders);
    let topology = byEnv.get(environment);
    if (!topology || topology.holders !== holders) {
      const base = this.runner.run(snapshot, 'topology', input);
      topology = { holders, base, answers: this.answerCache.scope() };
      byEnv.set(environment, topology);
      // A failed build is not kept: the next request asks again.
      const kept = topology;
      base.catch(() => byEnv!.get(environment) === kept && byEnv!.delete(environment));
    }
    return topology;
  }

  async traffic(query: TrafficQuery, read: CellAccess): Promise<TrafficResponse> {
    const environment = this.environmentOrDefault(query.environment);
    if (this.deps.reconciler.neverApplied) await this.deps.reconciler.syncCatalog();
    const snapshot = this.snapshot;
    const classify = (task: TrafficTask) => this.runner.run(snapshot, 'traffic', task);
    return observedTraffic({ environment, query, sources: this.deps.config.trafficSources, model: snapshot.model, read, classify });
  }

  async rollout(query: RolloutQuery, read: CellAccess) {
    return rolloutAnswer(this.deps, this.environmentOrDefault(query.environment), query, read, (snapshot, task) => this.runner.run(snapshot, 'rollout', task));
  }

  async blastRadius(body: BlastRadiusBody, read: CellAccess): Promise<BlastRadiusResponse> {
    const environment = this.environmentOrDefault(body.environment);
    const refs = new ModelRefs(this.snapshot.model);
    const { caller, cell } = refs.caller(body.from, 'from');
    await read.require([cell!]);
    const { result, failures } = await this.runner.run(this.snapshot, 'blastRadius', { ...this.inEnvironment(environment), caller, cell: cell! });
    // Reach into (or from) a cell the caller may not read reveals that cell's policy: left out.
    const cellOf = (r: Reach) => {
      if (r.component === 'gateway') return undefined;
      return r.component.startsWith('rogue:') ? r.component.slice('rogue:'.length) : refs.cellOfComponent(r.component);
    };
    const all = [...result.reaches, ...result.reachedBy];
    const may = await read.filter(all.map(cellOf).filter((c): c is string => c !== undefined));
    const visible = (r: Reach) => {
      const of = cellOf(r);
      return of === undefined || may(of);
    };
    return {
      environment,
      from: 'component' in caller ? caller.component : `rogue:${cell}`,
      reaches: result.reaches.filter(visible),
      reachedBy: result.reachedBy.filter(visible),
      egress: result.egress,
      ...(await this.failuresFor({ failures: new Map(failures) }, read)),
    };
  }

  async attacks(query: AttackListQuery, read: CellAccess): Promise<AttackListResponse> {
    const environment = this.environmentOrDefault(query.environment);
    const refs = new ModelRefs(this.snapshot.model);
    // A rogue or target named outright needs the permission; otherwise only readable cells take part.
    const named = [...(query.rogue ? refs.cellsNamed(query.rogue) : []), ...(query.target ? refs.cellsOfTarget(query.target) : [])];
    await read.require(named);
    const here = this.snapshot.model.cells.filter(c => c.environments.includes(environment)).map(c => c.ref);
    const may = await read.filter(here);
    // No cell to attack from (none here, or none the caller may read): nothing to list, nothing to compile.
    if (!here.some(may)) return { environment, items: [], truncated: false };
    const snapshot = this.snapshot;
    const hidden = snapshot.model.cells.filter(c => !may(c.ref)).map(c => c.ref);
    const { rogue, target, limit } = query;
    const { items, truncated, failures, empty } = await this.runner.run(snapshot, 'attacks', {
      ...this.inEnvironment(environment),
      named,
      hidden,
      ...(rogue !== undefined ? { rogue } : {}),
      ...(target !== undefined ? { target } : {}),
      limit: limit ?? DEFAULT_ATTACK_LIMIT,
    });
    const failed = await this.failuresFor({ failures: new Map(failures) }, read);
    return empty ? { environment, items: [], truncated: false, ...failed } : { environment, items, truncated, ...failed };
  }

  async preview(body: PreviewBody, read: CellAccess): Promise<PreviewResponse> {
    const environment = this.environmentOrDefault(body.environment);
    const entities = checkPreviewEntities(body.entities);
    // The answer holds the touched cells' manifests: the same permission as reading them, per cell
    // that exists (a cell the change creates is only what the caller sent), checked before any work.
    await read.require(existingCellsTouched(this.snapshot, entities));
    await this.deps.reconciler.syncCatalog();
    const snapshot = this.snapshot;
    await read.require(existingCellsTouched(snapshot, entities));
    const preview = await this.runner.run(snapshot, 'preview', { ...this.inEnvironment(environment), entities });
    const sources = this.deps.config.trafficSources;
    if (sources.length === 0) return preview;
    const readable = await read.filter(snapshot.model.cells.map(c => c.ref));
    const task = {
      ...this.inEnvironment(environment),
      window: previewWindow(Date.now()),
      sources,
      entities,
      readable: snapshot.model.cells.map(c => c.ref).filter(readable),
    };
    const observed = await this.runner.run(snapshot, 'previewTraffic', task);
    return { ...preview, observed };
  }
}
