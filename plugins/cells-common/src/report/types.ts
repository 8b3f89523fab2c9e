/**
 * The evidence pack's content model: what an auditor receives for one cell
 * (or a set of cells). The JSON renderer writes exactly these objects
 * (`schema.ts` is their JSON Schema, docs/evidence.md explains each field);
 * the Markdown, PDF and SVG renderers only present them.
 */
import type { AccessDiffView } from '../diff';
import type { LayerName } from '../analyzer/model';
import type { EndpointProtocol, Visibility } from '../model/types';
import type { NetworkPolicyFlavour } from '../settings/settings';

export const EVIDENCE_PACK_KIND = 'cellplane.io/evidence-pack';
export const EVIDENCE_BUNDLE_KIND = 'cellplane.io/evidence-bundle';
export const EVIDENCE_SCHEMA_VERSION = 1;

/** One end of a flow. `label` is the name the access diffs and history use. */
export type FlowParty =
  | { kind: 'component'; label: string; ref: string; name: string; cell: string; cellName: string; owner: string }
  | { kind: 'gateway'; label: 'gateway' }
  | { kind: 'rogue'; label: string; cell: string; cellName: string };

/** Where the flow runs, seen from the cell the pack is about. */
export type FlowDirection = 'inbound' | 'internal' | 'outbound';

/** The change that approved a flow: the latest change whose access diff added it. */
export interface Approval {
  at: string;
  /** The change's one-line summary. */
  summary: string;
  /** Who made it (a user or a commit author), when recorded. */
  by?: string;
  /** The pull request or commit, when recorded. */
  link?: string;
  reason?: string;
}

/** One declaration behind a flow: a connection, an allowFrom entry, or a public endpoint (the gateway's). */
export interface FlowDeclaration {
  entity: string;
  field: string;
  kind: 'connection' | 'allowFrom' | 'public';
  /** What it allows; absent: every method (or path). */
  methods?: string[];
  paths?: string[];
  /** Owner of the declaring entity. */
  owner: string;
  /** Its `reason`, when it gives one. */
  reason?: string;
}

/**
 * One allowed flow: a caller and an endpoint (port and protocol) that verify
 * found the manifests allow, with the declarations that allow it. A flow
 * declared twice (a connection and an allowFrom) is one flow with two
 * declarations.
 */
export interface RegisterFlow {
  /** F1, F2, ... in register order; the diagram's edges refer to these. */
  id: string;
  direction: FlowDirection;
  from: FlowParty;
  to: Extract<FlowParty, { kind: 'component' }>;
  endpoint: string;
  port: number;
  protocol: EndpointProtocol;
  transport: 'TCP' | 'UDP';
  visibility: Visibility;
  /** Empty: nothing in the catalog allows the flow. */
  declarations: FlowDeclaration[];
  /** Allowed requests no declaration covers, e.g. `DELETE /x`, `direct to the pod ...`; absent when none. */
  undeclaredRequests?: string[];
  /** The layers that admitted the flow's requests, with their policies (`<namespace>/<name>`). */
  enforcedBy: { layer: LayerName; policies: string[] }[];
  /** The change that approved the flow; null until a change history is given, or when no kept change added it. */
  approval: Approval | null;
  /**
   * `as-declared`; `differs`: some requests of the caller on this endpoint are
   * decided otherwise than declared (see `violations`); `undeclared`: no
   * declaration at all.
   */
  status: 'as-declared' | 'differs' | 'undeclared';
  /** Ids of the differences (V1, ...) about this caller and endpoint. */
  violations: string[];
}

/** What the platform allows every pod or waypoint by design, beside the declared flows (not probed by verify). */
export interface PlatformFlow {
  from: string;
  to: string;
  ports: string;
  why: string;
}

/** Caller x callee, each entry the endpoints (`8080/HTTP`) the caller may use. */
export interface AccessMatrix {
  /** Row labels: callers (components as `<cell>/<component>`, `gateway`, `rogue:<cell>`). */
  callers: string[];
  /** Column labels: callee components. */
  callees: string[];
  /** Only the pairs with access. */
  entries: { from: string; to: string; endpoints: string[] }[];
}

/** One request the manifests decide otherwise than the catalog declares. */
export interface Difference {
  id: string;
  from: string;
  to: string;
  endpoint: string;
  port: number;
  method?: string;
  path?: string;
  /** Addressed the pod directly, skipping the waypoint. */
  direct?: boolean;
  declared: boolean;
  allowed: boolean;
  explanation: string;
}

/** One verification run of a cell in an environment (what the backend keeps for the audit period). */
export interface VerificationRecord {
  at: string;
  environment: string;
  result: 'pass' | 'fail';
  requestsChecked: number;
  violations: number;
  /** Allowed requests, and denied ones by the layer that denied them, when counted. */
  allowed?: number;
  deniedBy?: Record<LayerName, number>;
  /** sha256 of the manifests judged (hex). */
  manifestsDigest?: string;
  cellplaneVersion?: string;
  /** What ran it, e.g. `schedule`, `change`, `cli`. */
  trigger?: string;
}

/** One access change of the cell (a backend HistoryEntry fits), with who, where and why when known. */
export interface EvidenceChange {
  at: string;
  environment: string;
  summary: string;
  accessDiff: AccessDiffView;
  /** What caused it, as the cells backend's history records it (`{ kind: 'user', user }`, ...), carried as it is. */
  cause?: { kind: string; [detail: string]: unknown };
  by?: string;
  link?: string;
  reason?: string;
}

/** The evidence of one cell in one environment. */
export interface EnvironmentEvidence {
  environment: string;
  /** The cell's Kubernetes namespace there. */
  namespace: string;
  networkPolicy: NetworkPolicyFlavour;
  mesh: boolean;
  register: RegisterFlow[];
  platformFlows: PlatformFlow[];
  matrices: { intended: AccessMatrix; enforced: AccessMatrix; difference: Difference[] };
  verification: {
    /** The run the register and matrices come from. */
    latest: VerificationRecord;
    /** Earlier runs over the period, newest first (empty when none are kept, e.g. in the CLI). */
    history: VerificationRecord[];
    /** Whether the pack's source keeps a history at all (the CLI does not). */
    historyKept: boolean;
  };
  /** Newest first; null when the pack's source keeps no change history (the CLI). */
  changes: EvidenceChange[] | null;
  /** What this environment's verification could not cover (verify's own notes). */
  notes: string[];
  /** The data-flow diagram of the register (diagram.ts). */
  diagram: { mediaType: 'image/svg+xml'; svg: string };
}

/** The evidence pack of one cell. */
export interface EvidencePack {
  kind: typeof EVIDENCE_PACK_KIND;
  schemaVersion: typeof EVIDENCE_SCHEMA_VERSION;
  generatedAt: string;
  generator: { name: 'cellplane'; version: string };
  cell: {
    ref: string;
    name: string;
    title?: string;
    owner: string;
    components: { ref: string; name: string; owner: string; endpoints: { name: string; port: number; protocol: EndpointProtocol; visibility: Visibility }[] }[];
  };
  summary: {
    result: 'pass' | 'fail';
    flows: number;
    undeclaredFlows: number;
    flowsWithoutReason: number;
    flowsWithoutApproval: number;
    differences: number;
    lastAccessChangeAt?: string;
  };
  environments: EnvironmentEvidence[];
  /** What could not be verified here, said plainly. */
  limits: string[];
}

/** Packs for a set of cells: by owner, or all. */
export interface EvidenceBundle {
  kind: typeof EVIDENCE_BUNDLE_KIND;
  schemaVersion: typeof EVIDENCE_SCHEMA_VERSION;
  generatedAt: string;
  generator: { name: 'cellplane'; version: string };
  scope: { owner: string } | { all: true };
  packs: EvidencePack[];
}
