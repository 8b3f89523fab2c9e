import { Entity } from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';
import {
  AnalyzerInputError,
  AttackPreset,
  AttackQueryError,
  BlastRadius,
  EgressProbe,
  Holders,
  SimulatedCaller,
  SimulationResult,
  attackPresets,
  blastRadius,
  compileCells,
  verificationRecordOf,
  verifySimulation,
} from '@cellplane/cells-common';
import type { VerificationRecord } from '@cellplane/cells-common';
import type { CatalogSnapshot } from '../reconciler/types';
import { Compiled, compileIsolated } from '../reconciler/isolate';
import type { CellDetail, PreviewObserved, PreviewResponse, RolloutResponse, SimulateBody, TrafficResponse } from '../schema/types';
import { analysable, withoutCells } from '../service/analysis';
import { Analyst, refuseFailed } from '../service/analyst';
import { complianceOf, noCompliance } from '../service/compliance';
import { existingCellsTouched, previewEntities } from '../service/preview';
import { simulateBody } from '../service/simulate';
import { TopologyBase, topologyBase } from '../service/topology';
import { judgeChange, PreviewTrafficTask } from '../service/previewTraffic';
import { RolloutTask } from '../service/rollout';
import { classifiedTraffic, TrafficTask } from '../service/traffic';

/** What every task names: the environment and the reconciler's holders there (plain data, cloned into a worker). */
interface InEnvironment {
  environment: string;
  holders: Holders;
}

/** The failures of the view a task used: cells it had to leave out, with why (the caller filters them by permission). */
type Failures = [string, string][];

/**
 * The heavy analysis calls, each a pure function of a catalog snapshot, the
 * settings and plain inputs, answering plain data: the same code runs inline
 * (no pool) and in a worker thread, so both answer alike.
 */
export interface AnalysisTasks {
  /** The reconcile pass's compilation of the cells a change touches (a cell the compiler throws on is a problem of its own). */
  compile: {
    input: InEnvironment & { cells: string[] };
    output: Compiled;
  };
  compliance: {
    input: InEnvironment & { cell: string };
    output: { compliance: CellDetail['compliance']; failure?: string };
  };
  blastRadius: {
    input: InEnvironment & { caller: SimulatedCaller; cell: string };
    output: { result: BlastRadius; failures: Failures };
  };
  simulate: {
    /** `to`: a component's entity ref, or the request outside the cluster the body stands for (service/simulate.ts). */
    input: InEnvironment & { from: SimulatedCaller; body: SimulateBody; to: string | EgressProbe; cells: string[] };
    output: SimulationResult;
  };
  topology: {
    input: InEnvironment & { environments: string[] };
    output: TopologyBase;
  };
  preview: {
    input: InEnvironment & { entities: Entity[] };
    output: PreviewResponse;
  };
  /** GET /attacks: the presets over the cells the caller may read (`hidden`: every other cell of the catalog). */
  attacks: {
    input: InEnvironment & { named: string[]; hidden: string[]; rogue?: string; target?: string; limit: number };
    output: { items: AttackPreset[]; truncated: boolean; failures: Failures; empty?: true };
  };
  /** GET /traffic: read the flow sources over the window, classify, cut to the readable cells. */
  traffic: {
    input: TrafficTask;
    output: TrafficResponse;
  };
  /** GET /rollout: read the flow sources, judge their calls against the enforce-mode compile. */
  rollout: {
    input: RolloutTask;
    output: Pick<RolloutResponse, 'sources' | 'cells'>;
  };
  /** POST /preview with flow sources: the observed calls the change breaks and mends, judged on the enforce-mode compiles. */
  previewTraffic: {
    input: PreviewTrafficTask;
    output: PreviewObserved;
  };
  /** The stored verification of cells (service/verifications.ts): one record per cell the view could analyse. */
  verify: {
    input: InEnvironment & { cells: string[]; at: string; version: string; trigger: string };
    output: { records: (VerificationRecord & { entityRef: string })[]; failures: Failures };
  };
}

export type AnalysisOp = keyof AnalysisTasks;

/** How an error names the operation (a failed worker's 503 says which). */
export const OPERATION_NAMES: Record<AnalysisOp, string> = {
  compile: 'compilation',
  compliance: 'compliance check',
  blastRadius: 'blast radius',
  simulate: 'simulation',
  topology: 'topology build',
  preview: 'preview',
  attacks: 'attack list',
  traffic: 'traffic classification',
  rollout: 'rollout check',
  previewTraffic: "judging of a preview's observed calls",
  verify: 'verification',
};

/** An answer now, or later for the tasks that read flow sources (I/O inside the task). */
type Answer<K extends AnalysisOp> = AnalysisTasks[K]['output'] | Promise<AnalysisTasks[K]['output']>;
type Handlers = { [K in AnalysisOp]: (analyst: Analyst, snapshot: CatalogSnapshot, input: AnalysisTasks[K]['input']) => Answer<K> };

const handlers: Handlers = {
  compile(analyst, snapshot, { environment, holders, cells }) {
    return compileIsolated(compileCells, { model: snapshot.model, settings: analyst.settings, environment, cells: new Set(cells), holders });
  },

  compliance(analyst, snapshot, { environment, holders, cell }) {
    const members = new Set(snapshot.model.cells.find(c => c.ref === cell)?.components ?? []);
    const view = analyst.view(snapshot, environment, holders);
    try {
      const protection = analyst.protectionOf(view);
      const sim = analyst.analysis(snapshot, view, environment, [cell]);
      const verified = analyst.verification(sim, cell);
      return { compliance: complianceOf(members, protection, view.objectsOf.get(cell) ?? [], verified) };
    } catch (e) {
      return { compliance: noCompliance(members), failure: view.failures.get(cell) ?? (e instanceof Error ? e.message : String(e)) };
    }
  },

  blastRadius(analyst, snapshot, { environment, holders, caller, cell }) {
    const view = analyst.view(snapshot, environment, holders);
    refuseFailed(view, environment, [cell]);
    const result = blastRadius(analyst.analysis(snapshot, view, environment, [cell]), caller);
    return { result, failures: [...view.failures] };
  },

  simulate(analyst, snapshot, { environment, holders, from, body, to, cells }) {
    const sim = analyst.analysis(snapshot, analyst.view(snapshot, environment, holders), environment, cells);
    try {
      return simulateBody(sim, from, body, to);
    } catch (e) {
      if (e instanceof AnalyzerInputError) throw new InputError(e.message);
      throw e;
    }
  },

  topology(analyst, snapshot, { environment, environments, holders }) {
    const view = analyst.view(snapshot, environment, holders);
    return topologyBase({ ...snapshot, settings: analyst.settings, environment, environments, protection: analyst.protectionOf(view), view });
  },

  verify: verifyCells,

  preview(analyst, snapshot, { environment, holders, entities }) {
    const settings = analyst.settings;
    const options = { snapshot, settings, environment, entities, holders };
    try {
      return previewEntities(options);
    } catch (e) {
      if (e instanceof InputError) throw e;
      // Another cell's entities may stop the compiler or the analyzer: preview without the cells that fail.
      const view = analyst.view(snapshot, environment, holders);
      try {
        analysable(view, snapshot.model, settings);
      } catch {
        // The failures found so far are still left out below.
      }
      refuseFailed(view, environment, existingCellsTouched(snapshot, entities));
      try {
        return previewEntities({ ...options, without: new Set(view.failures.keys()) });
      } catch (again) {
        if (again instanceof InputError) throw again;
        throw new InputError(`the change cannot be compiled or analysed: ${again instanceof Error ? again.message : String(again)}`);
      }
    }
  },

  attacks(analyst, snapshot, { environment, holders, named, hidden, rogue, target, limit }) {
    const view = analyst.view(snapshot, environment, holders);
    refuseFailed(view, environment, named);
    const failures: Failures = [...view.failures];
    const hiddenCells = new Set(hidden);
    const sim = hiddenCells.size === 0 ? view.sim : { ...view.sim, model: withoutCells(view.sim.model, hiddenCells) };
    if (!sim.model.cells.some(c => c.environments.includes(environment))) return { items: [], truncated: false, failures, empty: true };
    try {
      return { ...attackPresets(sim, { rogue, target, limit }), failures };
    } catch (e) {
      if (e instanceof AttackQueryError) throw new InputError(e.message);
      throw e;
    }
  },

  traffic(analyst, snapshot, task) {
    return classifiedTraffic(task, snapshot.model, analyst.settings);
  },

  rollout(analyst, snapshot, task) {
    return analyst.rollouts.judge(snapshot, analyst.settings, task);
  },

  previewTraffic(analyst, snapshot, task) {
    return judgeChange(analyst.rollouts, snapshot, analyst.settings, task);
  },
};

/**
 * Verifies cells as the evidence pack does (every request into, out of and
 * within each cell, counted by layer) and makes each run a record with the
 * core's verificationRecordOf: the digest is of the manifests judged.
 */
function verifyCells(analyst: Analyst, snapshot: CatalogSnapshot, input: AnalysisTasks['verify']['input']): AnalysisTasks['verify']['output'] {
  const { environment, holders, cells, ...meta } = input;
  const view = analyst.view(snapshot, environment, holders);
  const sim = analysable(view, snapshot.model, analyst.settings);
  const deployed = new Set(sim.model.cells.filter(c => c.environments.includes(environment)).map(c => c.ref));
  const records = cells
    .filter(cell => deployed.has(cell) && !view.failures.has(cell))
    .map(cell => ({ entityRef: cell, ...verificationRecordOf(verifySimulation(sim, { cell, outbound: true, countLayers: true }), sim.objects, meta) }));
  return { records, failures: [...view.failures].filter(([cell]) => cells.includes(cell)) };
}

/** Runs one analysis task against a snapshot (on whichever thread holds the analyst). */
export function runAnalysis<K extends AnalysisOp>(analyst: Analyst, snapshot: CatalogSnapshot, op: K, input: AnalysisTasks[K]['input']): Answer<K> {
  const handler = handlers[op] as (a: Analyst, s: CatalogSnapshot, i: AnalysisTasks[K]['input']) => Answer<K>;
  return handler(analyst, snapshot, input);
}
