/** Application protocols an endpoint can serve. HTTP and GRPC get L7 rules. */
export const ENDPOINT_PROTOCOLS = ['HTTP', 'GRPC', 'TCP', 'UDP'] as const;
export type EndpointProtocol = (typeof ENDPOINT_PROTOCOLS)[number];

/** Who may reach an endpoint: its own cell, any cell, or also the external gateway. */
export const VISIBILITIES = ['project', 'organization', 'public'] as const;
export type Visibility = (typeof VISIBILITIES)[number];

/** Methods Istio's AuthorizationPolicy can match (RFC 9110 plus PATCH). */
export const HTTP_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'CONNECT', 'TRACE'] as const;

/**
 * One entry of `spec.cell.members`: components the cell's owner invites from
 * outside the System's own catalog namespace. With both fields, a component
 * must match both.
 */
export interface CellMemberRule {
  /** A catalog namespace whose components may join. */
  namespace?: string;
  /** An owner ref (`group:ns/name`): components with this `spec.owner` may join. */
  owner?: string;
}

/** `spec.cell` of a System. */
export interface CellSpec {
  environments?: string[];
  members?: CellMemberRule[];
  egress?: EgressCeiling;
  enforcement?: Enforcement;
}

/**
 * `spec.cell.enforcement` and `cells.environments[].enforcement`: `enforce`
 * applies every policy; `audit` applies none that could deny a call
 * (docs/rollout.md). Absent means enforce.
 */
export const ENFORCEMENT_MODES = ['audit', 'enforce'] as const;
export type Enforcement = (typeof ENFORCEMENT_MODES)[number];

/** How a component talks to an external host: TLS passthrough, plain HTTP (L7 rules), or opaque TCP. */
export const EGRESS_HOST_PROTOCOLS = ['TLS', 'HTTP', 'TCP'] as const;
export type EgressHostProtocol = (typeof EGRESS_HOST_PROTOCOLS)[number];
/** Transports a CIDR entry can allow (enforced at L3/L4 only). */
export const EGRESS_CIDR_PROTOCOLS = ['TCP', 'UDP'] as const;
export type EgressCidrProtocol = (typeof EGRESS_CIDR_PROTOCOLS)[number];

/**
 * `spec.cell.egress` of a System: the most its components may ever declare.
 * Hosts are exact names or `*.suffix`; CIDRs are networks. A cell without it allows none.
 */
export interface EgressCeiling {
  hosts: string[];
  cidrs: string[];
  /** Platform services (cells.platform.services) its components may call; absent: none. */
  platform?: string[];
}

/** One `spec.egress` entry naming an external host (reached through the egress waypoint). */
export interface EgressHostRule {
  kind: 'host';
  /** Lower-case DNS name, or `*.suffix` where the data plane can enforce wildcards. */
  host: string;
  /** Sorted, unique. */
  ports: number[];
  protocol: EgressHostProtocol;
  methods?: string[];
  paths?: string[];
  reason?: string;
  /** The entry's field, e.g. `spec.egress[0]`. */
  field: string;
}

/** One `spec.egress` entry naming a network (enforced by the component's own L3/L4 policy). */
export interface EgressCidrRule {
  kind: 'cidr';
  cidr: string;
  /** Carved out of `cidr`; sorted. */
  except?: string[];
  ports: number[];
  protocol: EgressCidrProtocol;
  reason?: string;
  field: string;
}

/** One `spec.egress` entry naming a platform service the component calls (cells.platform.services). */
export interface EgressPlatformRule {
  kind: 'platform';
  platform: string;
  /** Sorted, unique; each one of the service's ports. */
  ports: number[];
  reason?: string;
  field: string;
}

export type EgressRule = EgressHostRule | EgressCidrRule | EgressPlatformRule;

/** `spec.metrics` of a Component: the port and path its scrapers may GET. */
export interface MetricsSpec {
  /** The port of one of the component's HTTP endpoints. */
  port: number;
  /** Exact path; default /metrics. */
  path: string;
  /** Scraping platform services admitted, sorted; default: every configured scraper. */
  scrapedBy: string[];
}

/** A Kubernetes RBAC subject made from a cell's owner. */
export interface RbacSubject {
  kind: 'Group' | 'User';
  name: string;
}

/** One entry of a Component's `spec.endpoints`: what it serves. */
export interface EndpointSpec {
  name: string;
  port: number;
  protocol: EndpointProtocol;
  visibility: Visibility;
  /**
   * What the endpoint serves (HTTP and gRPC only), e.g. `POST /decision/abort`.
   * It grants nothing: the attack simulator's presets and verify's probes try
   * these operations, so sensitive ones nobody is granted get checked too.
   */
  operations?: EndpointOperation[];
  /** Public endpoints only: who may call through the external gateway (docs/front-door.md). */
  auth?: EndpointAuth;
  /** Public endpoints only: how often one client may call through the gateway. */
  rateLimit?: EndpointRateLimit;
  /**
   * The OpenAPI APIs the component provides on this endpoint (docs/front-door.md#operations):
   * their operations are the most any grant to it admits. `operations` then holds an example of each.
   */
  api?: { refs: string[]; operations: ApiOperation[] };
}

/**
 * `auth` of a public endpoint: `none` (open on purpose), or a token from a
 * provider of cells.gateway.jwtProviders with, optionally, an audience and claims.
 */
export type EndpointAuth =
  | { kind: 'none' }
  | {
      kind: 'jwt';
      provider: string;
      /** The token's `aud` must hold one of these; sorted. Absent: the provider's own audiences, if any. */
      audiences?: string[];
      /** Claim name to the values it must hold, every one of them; sorted by name, values sorted. */
      claims?: { name: string; values: string[] }[];
    };

export const RATE_LIMIT_UNITS = ['second', 'minute', 'hour'] as const;
export type RateLimitUnit = (typeof RATE_LIMIT_UNITS)[number];

/** `rateLimit` of a public endpoint: at most `requests` per `per` for each client told apart by `by`. */
export interface EndpointRateLimit {
  requests: number;
  per: RateLimitUnit;
  /** What tells clients apart: the source address, a token claim, or a request header. */
  by: { kind: 'client-ip' } | { kind: 'claim'; name: string } | { kind: 'header'; name: string };
}

/** One operation an endpoint serves: a method and an exact path. */
export interface EndpointOperation {
  method: string;
  path: string;
}

/**
 * One operation of an OpenAPI document: a method and a path template, as the
 * API's provider serves it on one endpoint (docs/front-door.md#operations).
 */
export interface ApiOperation {
  /** Upper case, e.g. `POST`. */
  method: string;
  /** The document's path template, e.g. `/missions/{missionId}`. */
  path: string;
  /**
   * The Istio `paths` value that admits it: the path itself, `{*}` for each
   * whole-segment parameter, or a prefix `/a/*` when a parameter shares its
   * segment with text (Istio templates only whole segments).
   */
  match: string;
  /** An example request path: each parameter replaced by its name. */
  example: string;
  operationId?: string;
}

/** One entry of `spec.connections`: a call the component makes (the caller's intent). */
export interface ConnectionSpec {
  to: string;
  endpoint?: string;
  methods?: string[];
  paths?: string[];
  /** operationIds of the OpenAPI API the target endpoint serves: the call admits exactly these. */
  operations?: string[];
  /** Why the access is needed (free text, trimmed); shown in the evidence pack's register. */
  reason?: string;
}

/** One entry of `spec.allowFrom`: callers the callee itself grants. */
export interface AllowFromSpec {
  component?: string;
  system?: string;
  endpoint?: string;
  methods?: string[];
  paths?: string[];
  /** Why the access is needed (free text, trimmed); shown in the evidence pack's register. */
  reason?: string;
}

/** A cell: a System with `spec.cell`, resolved. */
export interface Cell {
  /** `system:<namespace>/<name>` */
  ref: string;
  name: string;
  /** The Backstage namespace of the System entity. */
  entityNamespace: string;
  /** Owner entity ref, e.g. `group:default/orion-team`. */
  owner: string;
  /**
   * The owner as the subject of the cell's RoleBinding: set only when the owner
   * is a Group or User of the catalog that cells.rbac.subjects admits.
   */
  subject?: RbacSubject;
  environments: string[];
  /** Component refs of the cell, sorted. */
  components: string[];
  /** `spec.cell.egress`; absent: the cell's components may reach nothing outside the cluster. */
  egress?: EgressCeiling;
  /** `spec.cell.enforcement`, when the System declares it (absent: enforce, unless the environment audits). */
  enforcement?: Enforcement;
}

/** A component of a cell, resolved. */
export interface CellComponent {
  /** `component:<namespace>/<name>` */
  ref: string;
  name: string;
  /** Ref of its cell. */
  cell: string;
  owner: string;
  endpoints: EndpointSpec[];
  /** Declared egress that passed every check (entity, ceiling, platform); absent when none. */
  egress?: EgressRule[];
  /** Metrics its scrapers may read, checked against the platform's scrapers; absent when none. */
  metrics?: MetricsSpec;
}

/** Who makes a call: a component of some cell, or the external gateway. */
export type Caller = { kind: 'component'; ref: string } | { kind: 'gateway' };

/**
 * One allowed call, derived from a connection, an allowFrom entry or a public
 * endpoint. `methods`/`paths` undefined means all. Every rule the compiler writes
 * comes from a grant, and only valid declarations become grants.
 */
export interface CallGrant {
  caller: Caller;
  /** Callee component ref. */
  callee: string;
  endpoint: string;
  methods?: string[];
  paths?: string[];
  /** The entity and field that declared it, for annotations and explanations. */
  declaredBy: string;
  field: string;
  /** The declaration's `reason`, when it gives one. */
  reason?: string;
}

/** The whole catalog's cells, resolved and validated. Arrays are sorted by ref. */
export interface CellModel {
  cells: Cell[];
  components: CellComponent[];
  grants: CallGrant[];
}

/** A problem in one entity: which entity, which field, what is wrong and how to fix it. */
export interface CellProblem {
  entityRef: string;
  field: string;
  message: string;
  fix: string;
  /**
   * The cell this problem holds back (kept at its last good compilation), if
   * any: the entity's own cell. Absent for an entity that is in no cell or was
   * refused by the cell it names, so an intruder never holds its victim back.
   */
  holds?: string;
}
