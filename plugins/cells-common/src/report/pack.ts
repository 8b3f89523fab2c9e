import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import { sha256 } from '@noble/hashes/sha256';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils';
import { CellModel } from '../model/types';
import { CellsSettings } from '../settings/settings';
import { KubeObject } from '../compiler';
import { toYaml } from '../compiler/yaml';
import { createSimulation, Simulation } from '../verify/simulation';
import { verifySimulation, VerifyReport } from '../verify/verify';
import { dataFlowDiagram } from './diagram';
import { compareText } from '../order';
import { buildMatrices } from './matrices';
import { buildRegister, differencesOf, Parties } from './register';
import { evidenceLimits, platformFlows } from './limits';
import {
  Approval,
  EnvironmentEvidence,
  EVIDENCE_BUNDLE_KIND,
  EVIDENCE_PACK_KIND,
  EVIDENCE_SCHEMA_VERSION,
  EvidenceBundle,
  EvidenceChange,
  EvidencePack,
  RegisterFlow,
  VerificationRecord,
} from './types';

/** A request for a pack that cannot be made as asked (unknown cell, environment or owner). */
export class EvidenceInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EvidenceInputError';
  }
}

/** What the caller keeps about a cell: earlier verifications and access changes (any environment). */
export interface EvidenceHistory {
  /** Undefined: the caller keeps changes but no verification runs (the pack says so). */
  verifications?: VerificationRecord[];
  changes: EvidenceChange[];
}

export interface EvidenceOptions {
  /** ISO time of the pack (and of the verification it runs). */
  generatedAt: string;
  /** Cellplane's version, recorded with the verification. */
  version: string;
  /** Only these environments of the cell (default: all of them). */
  environments?: string[];
  /** Manifests to judge per environment instead of compiling the model (e.g. a GitOps folder). */
  objects?: Record<string, KubeObject[]>;
  /**
   * Simulations to judge per environment, already built by the caller (the
   * backend's analysis views: what it applies, without the cells it could not
   * compile); they take precedence over `objects`.
   */
  simulations?: Record<string, Simulation>;
  /** Display titles of cells by ref (the model has none). */
  titles?: Record<string, string>;
  /** The kept history of a cell; undefined: none is kept (the CLI). */
  history?: (cellRef: string) => EvidenceHistory | undefined;
  /** What ran the verification, e.g. `cli`, `schedule`, `change`. */
  trigger?: string;
}

/** sha256 (hex) of the manifests judged, as the canonical multi-document YAML the compiler writes. */
export function manifestsDigest(objects: KubeObject[]): string {
  return bytesToHex(sha256(utf8ToBytes(toYaml(objects))));
}

/** One verification run as the backend keeps it. */
export function verificationRecordOf(report: VerifyReport, objects: KubeObject[], meta: { at: string; version: string; trigger?: string }): VerificationRecord {
  return {
    at: meta.at,
    environment: report.environment,
    result: report.violations.length === 0 ? 'pass' : 'fail',
    requestsChecked: report.checks,
    violations: report.violations.length,
    ...(report.counts ? { allowed: report.counts.allowed, deniedBy: report.counts.deniedBy } : {}),
    manifestsDigest: manifestsDigest(objects),
    cellplaneVersion: meta.version,
    ...(meta.trigger ? { trigger: meta.trigger } : {}),
  };
}

const newestFirst = <T extends { at: string }>(items: T[]) => [...items].sort((a, b) => compareText(b.at, a.at));

/**
 * The change that approved each declared flow: the newest kept change of the
 * environment whose access diff added a request from the flow's caller to its
 * endpoint. Flows no kept change added keep a null approval.
 */
export function withApprovals(register: RegisterFlow[], changes: EvidenceChange[]): RegisterFlow[] {
  const ordered = newestFirst(changes);
  return register.map(row => {
    if (row.status === 'undeclared') return row;
    const change = ordered.find(c => c.accessDiff.added.some(a => a.from === row.from.label && a.to === row.to.label && a.port === row.port));
    if (!change) return row;
    const approval: Approval = {
      at: change.at,
      summary: change.summary,
      ...(change.by ? { by: change.by } : {}),
      ...(change.link ? { link: change.link } : {}),
      ...(change.reason ? { reason: change.reason } : {}),
    };
    return { ...row, approval };
  });
}

/**
 * The evidence of one cell in one environment from a verify run of that cell
 * (`{ cell, outbound: true, recordAllowed: true }`, ideally with countLayers).
 */
export function environmentEvidence(
  sim: Simulation,
  cell: string,
  report: VerifyReport,
  options: { at: string; version: string; trigger?: string; history?: EvidenceHistory; title?: string },
): EnvironmentEvidence {
  const parties = new Parties(sim);
  const cellObject = sim.model.cells.find(c => c.ref === cell)!;
  const namespace = sim.namespaceOf(cell);
  const changes = options.history ? newestFirst(options.history.changes.filter(c => c.environment === sim.environment)) : null;
  const register = withApprovals(buildRegister(sim, cell, report), changes ?? []);
  const flavour = sim.settings.environments.find(e => e.name === sim.environment)?.networkPolicy ?? 'kubernetes';
  return {
    environment: sim.environment,
    namespace,
    networkPolicy: flavour,
    mesh: sim.settings.mesh.enabled,
    register,
    platformFlows: platformFlows(sim.settings, namespace),
    matrices: { ...buildMatrices(parties, cellObject.ref, register), difference: differencesOf(parties, report).map(d => d.difference) },
    verification: {
      latest: verificationRecordOf(report, sim.objects, options),
      history: newestFirst((options.history?.verifications ?? []).filter(v => v.environment === sim.environment)),
      historyKept: options.history?.verifications !== undefined,
    },
    changes,
    notes: report.notes,
    diagram: {
      mediaType: 'image/svg+xml',
      svg: dataFlowDiagram({
        cellName: cellObject.name,
        title: options.title,
        environment: sim.environment,
        namespace,
        components: sim.model.components.filter(c => c.cell === cell),
        register,
      }),
    },
  };
}

function summaryOf(environments: EnvironmentEvidence[]): EvidencePack['summary'] {
  const rows = environments.flatMap(e => e.register);
  const declared = rows.filter(r => r.status !== 'undeclared');
  const changed = environments
    .flatMap(e => e.changes ?? [])
    .filter(c => c.accessDiff.added.length + c.accessDiff.removed.length > 0)
    .map(c => c.at)
    .sort();
  return {
    result: environments.every(e => e.matrices.difference.length === 0) ? 'pass' : 'fail',
    flows: rows.length,
    undeclaredFlows: rows.length - declared.length,
    // A public endpoint has no reason field: a flow declared only by one is not counted as missing a reason.
    flowsWithoutReason: declared.filter(r => r.declarations.some(d => d.kind !== 'public') && !r.declarations.some(d => d.reason)).length,
    flowsWithoutApproval: declared.filter(r => !r.approval).length,
    differences: environments.reduce((n, e) => n + e.matrices.difference.length, 0),
    ...(changed.length ? { lastAccessChangeAt: changed[changed.length - 1] } : {}),
  };
}

/** Finds a cell by ref (`system:ns/name`) or by name when the name is unique. */
export function findCell(model: CellModel, nameOrRef: string) {
  const byRef = model.cells.find(c => c.ref === nameOrRef);
  if (byRef) return byRef;
  const byName = model.cells.filter(c => c.name === nameOrRef);
  if (byName.length === 1) return byName[0];
  if (byName.length > 1) throw new EvidenceInputError(`${nameOrRef} names ${byName.length} cells; write its ref, one of: ${byName.map(c => c.ref).join(', ')}`);
  throw new EvidenceInputError(`no cell ${nameOrRef}; cells: ${model.cells.map(c => c.name).join(', ') || 'none'}`);
}

/**
 * The evidence pack of one cell: per environment, verify runs on the cell
 * (every request into, out of and within it), and the register, the matrices
 * and the difference come from that run; history and changes are the caller's.
 */
export function buildEvidencePack(model: CellModel, settings: CellsSettings, cellNameOrRef: string, options: EvidenceOptions): EvidencePack {
  const cell = findCell(model, cellNameOrRef);
  const configured = settings.environments.map(e => e.name);
  const deployed = cell.environments.filter(e => configured.includes(e));
  const unknown = (options.environments ?? []).filter(e => !deployed.includes(e));
  if (unknown.length > 0) {
    throw new EvidenceInputError(`${cell.ref} is not deployed to ${unknown.join(', ')}; its environments: ${deployed.join(', ') || 'none'}`);
  }
  const history = options.history?.(cell.ref);
  const environments = deployed
    .filter(e => !options.environments || options.environments.includes(e))
    .map(environment => {
      const sim = options.simulations?.[environment] ?? createSimulation(model, settings, environment, options.objects?.[environment]);
      const report = verifySimulation(sim, { cell: cell.ref, outbound: true, recordAllowed: true, countLayers: true });
      return environmentEvidence(sim, cell.ref, report, {
        at: options.generatedAt,
        version: options.version,
        trigger: options.trigger,
        history,
        title: options.titles?.[cell.ref],
      });
    });
  const components = model.components.filter(c => c.cell === cell.ref);
  return {
    kind: EVIDENCE_PACK_KIND,
    schemaVersion: EVIDENCE_SCHEMA_VERSION,
    generatedAt: options.generatedAt,
    generator: { name: 'cellplane', version: options.version },
    cell: {
      ref: cell.ref,
      name: cell.name,
      ...(options.titles?.[cell.ref] ? { title: options.titles[cell.ref] } : {}),
      owner: cell.owner,
      components: components.map(c => ({
        ref: c.ref,
        name: c.name,
        owner: c.owner,
        endpoints: c.endpoints.map(e => ({ name: e.name, port: e.port, protocol: e.protocol, visibility: e.visibility })),
      })),
    },
    summary: summaryOf(environments),
    environments,
    limits: evidenceLimits(settings),
  };
}

function normalizeOwner(owner: string): string {
  try {
    return stringifyEntityRef(parseEntityRef(owner, { defaultKind: 'group', defaultNamespace: 'default' }));
  } catch {
    throw new EvidenceInputError(`${JSON.stringify(owner)} is not an owner ref; write e.g. group:default/houston-flight-ops`);
  }
}

/** Packs for every cell of an owner, or for all cells, in ref order. */
export function buildEvidenceBundle(
  model: CellModel,
  settings: CellsSettings,
  scope: { owner: string } | { all: true },
  options: Omit<EvidenceOptions, 'environments'> & { environments?: string[] },
): EvidenceBundle {
  const owner = 'owner' in scope ? normalizeOwner(scope.owner) : undefined;
  const cells = model.cells.filter(c => owner === undefined || c.owner.toLowerCase() === owner.toLowerCase());
  if (cells.length === 0) {
    throw new EvidenceInputError(
      owner ? `no cell is owned by ${owner}; owners: ${[...new Set(model.cells.map(c => c.owner))].join(', ')}` : 'the catalog has no cells',
    );
  }
  return {
    kind: EVIDENCE_BUNDLE_KIND,
    schemaVersion: EVIDENCE_SCHEMA_VERSION,
    generatedAt: options.generatedAt,
    generator: { name: 'cellplane', version: options.version },
    scope: owner ? { owner } : { all: true },
    packs: cells
      .map(c => {
        // A named environment narrows each pack; cells not deployed there are left out rather than refused.
        const environments = options.environments?.filter(e => c.environments.includes(e));
        if (options.environments && environments!.length === 0) return undefined;
        return buildEvidencePack(model, settings, c.ref, { ...options, environments });
      })
      .filter((p): p is EvidencePack => p !== undefined),
  };
}
