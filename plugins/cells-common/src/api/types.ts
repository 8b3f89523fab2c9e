/**
 * The cells backend's REST API (`/api/cells`), as TypeScript types. The
 * backend's OpenAPI document (plugins/cells-backend/openapi.yaml) describes
 * the same shapes, and a test checks each route's answer against it; the
 * frontend client and the scaffolder read these types. Types only: no I/O.
 */
import type { EndpointSpec } from '../model/types';
import type { LayerResult } from '../analyzer/model';
import type { HopResult } from '../analyzer/explain';
import type { KubeObject } from '../compiler/context';

/** The state of one cell in one environment. */
export const CELL_STATES = ['in-sync', 'pending', 'drifted', 'degraded', 'error', 'not-applied'] as const;
export type CellState = (typeof CELL_STATES)[number];

/** The state of one desired (or unwanted) object on its target. */
export type ObjectState = 'in-sync' | 'drifted' | 'missing' | 'unwanted' | 'conflict' | 'unavailable' | 'pending';

/** Where an environment's manifests go; targets added by backend modules describe themselves as `{ type, ...details }`. */
export type TargetDescription =
  | { type: 'directory'; path: string }
  | { type: 'kubernetes'; cluster: string }
  | { type: string; [detail: string]: string };

export interface CellEnvironmentSummary {
  environment: string;
  namespace: string;
  target: TargetDescription;
  state: CellState;
  /** Why the state is what it is, in words (empty when in sync). */
  message: string;
  /** ISO time of the last reconcile of this cell and environment, if any. */
  lastReconciledAt?: string;
}

export interface CellSummary {
  /** `system:<namespace>/<name>` */
  entityRef: string;
  title: string;
  /** Owner entity ref. */
  owner: string;
  environments: CellEnvironmentSummary[];
}

/** `GET /cells` */
export interface CellListResponse {
  items: CellSummary[];
}

/** One object of a cell on its target. */
export interface ObjectStatus {
  apiVersion: string;
  kind: string;
  namespace?: string;
  name: string;
  state: ObjectState;
  /** Drift: the managed fields that differ, `path: expected -> actual`. */
  diff?: string[];
  message?: string;
}

export interface CellEnvironmentStatus extends CellEnvironmentSummary {
  objects: ObjectStatus[];
}

/** One grant in API terms: who may call which endpoint with what. */
export interface GrantView {
  /** Component entity ref, or `gateway`. */
  from: string;
  /** Component entity ref. */
  to: string;
  endpoint: string;
  /** Undefined: all. */
  methods?: string[];
  paths?: string[];
  declaredBy: 'connection' | 'allowFrom' | 'public';
  /** Entity ref of the declaring entity. */
  declaringEntity: string;
  field: string;
  crossCell: boolean;
}

export interface ComponentView {
  entityRef: string;
  name: string;
  title?: string;
  owner: string;
  /** Cell (System) entity ref. */
  cell: string;
  endpoints: EndpointSpec[];
}

export interface ComplianceSummary {
  components: number;
  /** Components protected at each layer by the compiled objects. */
  protectedL3L4: number;
  protectedMtls: number;
  protectedL7: number;
  /** AuthorizationPolicy principals that are wildcards (must be 0). */
  wildcardPrincipals: number;
  /** Requests checked by verify, and how many the manifests decide differently from the catalog. */
  requestsChecked: number;
  violations: number;
  /** ISO time of the verify run. */
  lastVerifiedAt?: string;
}

/** `GET /cells/{namespace}/{name}` */
export interface CellDetail extends Omit<CellSummary, 'environments'> {
  components: ComponentView[];
  /** Grants whose callee or caller is in this cell. */
  grants: GrantView[];
  environments: CellEnvironmentStatus[];
  compliance: ComplianceSummary;
  /** Validation problems that hold the cell at its last good compilation. */
  problems: { entityRef: string; field: string; message: string; fix: string }[];
}

/** One request that a change newly allows or no longer allows. */
export interface AccessChange {
  /** `<cell>/<component>`, `gateway` or `rogue:<cell>`. */
  from: string;
  /** `<cell>/<component>` */
  to: string;
  port: number;
  method?: string;
  path?: string;
  /** The layer that decides the request after (added) or before (removed) the change. */
  layer: string | null;
  /** The policies of that layer that admit the request, as `<namespace>/<name>`. */
  policies?: string[];
  /** e.g. "houston/capcom may now POST /uplink on orion/comms-system". */
  text: string;
}

export interface AccessDiffView {
  added: AccessChange[];
  removed: AccessChange[];
}

export interface ObjectRef {
  apiVersion: string;
  kind: string;
  namespace?: string;
  name: string;
}

/** `GET /cells/{namespace}/{name}/plan` */
export interface CellPlan {
  entityRef: string;
  environment: string;
  namespace: string;
  create: ObjectRef[];
  update: ObjectRef[];
  prune: ObjectRef[];
  unchanged: number;
  accessDiff: AccessDiffView;
}

export type RunState = 'running' | 'succeeded' | 'failed';

export interface RunCellResult {
  entityRef: string;
  environment: string;
  state: CellState;
  message: string;
  created: number;
  updated: number;
  pruned: number;
}

/** `GET /runs/{runId}` */
export interface ReconcileRun {
  runId: string;
  state: RunState;
  trigger: 'schedule' | 'catalog-change' | 'api' | 'startup';
  requestedBy?: string;
  startedAt: string;
  finishedAt?: string;
  cells: RunCellResult[];
  error?: string;
}

/** What caused a policy change. */
export type ChangeCause =
  | { kind: 'entity-change'; entities: { entityRef: string; change: 'added' | 'updated' | 'removed' }[] }
  | { kind: 'user'; user: string }
  | { kind: 'drift-repair' }
  | { kind: 'startup' };

/** `GET /history` items: one policy change of one cell in one environment. */
export interface HistoryEntry {
  id: number;
  entityRef: string;
  environment: string;
  at: string;
  runId: string;
  /** One line, e.g. "2 created, 1 updated; 1 request newly allowed" or "repaired drift". */
  summary: string;
  cause: ChangeCause;
  created: ObjectRef[];
  updated: ObjectRef[];
  pruned: ObjectRef[];
  accessDiff: AccessDiffView;
}

export interface HistoryPage {
  items: HistoryEntry[];
  /** Pass as `cursor` for the next (older) page. */
  nextCursor?: string;
}

/** `POST /simulate` body. */
export interface SimulateBody {
  environment?: string;
  from: string | { rogue: string } | { gateway: true };
  to: string;
  endpoint?: string;
  method?: string;
  path?: string;
}

/** `POST /simulate` answer: the JSON of `cellplane analyze --json`. */
export interface SimulateResponse {
  allowed: boolean;
  decidedBy: string | null;
  layers: LayerResult[];
  explanation: string;
  hops: HopResult[];
  impersonating?: string;
}

export interface TopologyComponent extends ComponentView {
  /** Protection of the component's own endpoints by layer in this environment. */
  protection: { l3l4: boolean; mtls: boolean; l7: boolean };
}

export interface TopologyEdge {
  /** Component entity ref or `gateway`. */
  from: string;
  to: string;
  endpoint: string;
  methods?: string[];
  paths?: string[];
  declaredBy: 'connection' | 'allowFrom' | 'public';
  crossCell: boolean;
}

export interface TopologyCell {
  entityRef: string;
  title: string;
  owner: string;
  namespace: string;
  state: CellState;
  message: string;
  components: string[];
}

/** `GET /topology?environment=E` */
export interface TopologyResponse {
  environment: string;
  environments: string[];
  cells: TopologyCell[];
  components: TopologyComponent[];
  edges: TopologyEdge[];
}

/** `POST /blast-radius` body. */
export interface BlastRadiusBody {
  environment?: string;
  /** `<cell>/<component>`, a component entity ref, or `{ rogue: <cell> }`. */
  from: string | { rogue: string };
}

export interface Reach {
  /** Component entity ref or `gateway`. */
  component: string;
  endpoint: string;
  port: number;
  /** Allowed methods and paths (undefined: all). */
  methods?: string[];
  paths?: string[];
}

/** `POST /blast-radius` answer, computed by the analyzer. */
export interface BlastRadiusResponse {
  environment: string;
  from: string;
  /** What the identity may reach. */
  reaches: Reach[];
  /** Who may reach it. */
  reachedBy: Reach[];
}

/** A preset attack for the simulator. */
export interface AttackPreset {
  id: string;
  title: string;
  body: SimulateBody;
}

/**
 * `GET /attacks?environment=E&rogue=C&target=T&limit=N`: the rogue-pod attacks
 * on every endpoint each rogue can address (its cell's, other cells'
 * organization and public ones), narrowed to one rogue pod's cell and a target
 * cell or component, at most `limit` (default 500) in a stable order.
 */
export interface AttackListResponse {
  environment: string;
  items: AttackPreset[];
  /** More attacks match than the limit let through: narrow by `rogue` or `target`. */
  truncated: boolean;
}

/** `GET /attacks` query. */
export interface AttackListQuery {
  environment?: string;
  /** A cell's name or ref: only its rogue pod. */
  rogue?: string;
  /** A cell (name or ref) or component (`<cell>/<component>` or ref): only attacks on it. */
  target?: string;
  limit?: number;
}

/**
 * `POST /preview` body: new or edited catalog entities (whole entities, as
 * they would be written), judged against the catalog as it is.
 */
export interface PreviewBody {
  entities: { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; [key: string]: unknown }; spec?: Record<string, unknown> }[];
  /** Default: the first configured environment. */
  environment?: string;
}

/** The objects of one cell the change touches, after the change. */
export interface PreviewCell {
  entityRef: string;
  namespace: string;
  /** False when the cell is not in the catalog yet (the change creates it). */
  exists: boolean;
  objects: KubeObject[];
}

/** `POST /preview` answer: what the change would produce; nothing is written. */
export interface PreviewResponse {
  environment: string;
  /** Refs of the entities previewed. */
  entities: string[];
  cells: PreviewCell[];
  accessDiff: AccessDiffView;
}
