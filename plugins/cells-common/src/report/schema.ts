/**
 * The JSON Schema (draft-07) of the evidence pack and bundle, the contract of
 * the JSON renderer (docs/evidence-pack.schema.json is this object, written
 * out; a test keeps the two equal and validates real packs against it).
 */
type Schema = Record<string, unknown>;

const str: Schema = { type: 'string' };
const int: Schema = { type: 'integer', minimum: 0 };
const strings: Schema = { type: 'array', items: str };
const time: Schema = { type: 'string', format: 'date-time' };
const obj = (properties: Record<string, Schema>, optional: string[] = []): Schema => ({
  type: 'object',
  additionalProperties: false,
  required: Object.keys(properties).filter(k => !optional.includes(k)),
  properties,
});
const ref = (name: string): Schema => ({ $ref: `#/definitions/${name}` });
const oneOfValues = (...values: string[]): Schema => ({ type: 'string', enum: values });
const layer = oneOfValues('L3/L4', 'mTLS', 'L7');
const protocol = oneOfValues('HTTP', 'GRPC', 'TCP', 'UDP');
const visibility = oneOfValues('project', 'organization', 'public');

const component = obj({ kind: { const: 'component' }, label: str, ref: str, name: str, cell: str, cellName: str, owner: str });

const definitions: Record<string, Schema> = {
  component,
  party: {
    oneOf: [
      component,
      obj({ kind: { const: 'gateway' }, label: { const: 'gateway' } }),
      obj({ kind: { const: 'rogue' }, label: str, cell: str, cellName: str }),
    ],
  },
  approval: obj({ at: time, summary: str, by: str, link: str, reason: str }, ['by', 'link', 'reason']),
  declaration: obj(
    { entity: str, field: str, kind: oneOfValues('connection', 'allowFrom', 'public'), methods: strings, paths: strings, owner: str, reason: str },
    ['methods', 'paths', 'reason'],
  ),
  flow: obj(
    {
      id: { type: 'string', pattern: '^F[1-9][0-9]*$' },
      direction: oneOfValues('inbound', 'internal', 'outbound'),
      from: ref('party'),
      to: ref('component'),
      endpoint: str,
      port: { type: 'integer', minimum: 1, maximum: 65535 },
      protocol,
      transport: oneOfValues('TCP', 'UDP'),
      visibility,
      declarations: { type: 'array', items: ref('declaration') },
      undeclaredRequests: { type: 'array', items: str, minItems: 1 },
      enforcedBy: { type: 'array', items: obj({ layer, policies: strings }) },
      approval: { oneOf: [ref('approval'), { type: 'null' }] },
      status: oneOfValues('as-declared', 'differs', 'undeclared'),
      violations: strings,
    },
    ['undeclaredRequests'],
  ),
  matrix: obj({
    callers: strings,
    callees: strings,
    entries: { type: 'array', items: obj({ from: str, to: str, endpoints: strings }) },
  }),
  difference: obj(
    {
      id: { type: 'string', pattern: '^V[1-9][0-9]*$' },
      from: str,
      to: str,
      endpoint: str,
      port: int,
      method: str,
      path: str,
      direct: { type: 'boolean' },
      declared: { type: 'boolean' },
      allowed: { type: 'boolean' },
      explanation: str,
    },
    ['method', 'path', 'direct'],
  ),
  verification: obj(
    {
      at: time,
      environment: str,
      result: oneOfValues('pass', 'fail'),
      requestsChecked: int,
      violations: int,
      allowed: int,
      deniedBy: obj({ 'L3/L4': int, mTLS: int, L7: int }),
      manifestsDigest: { type: 'string', pattern: '^[0-9a-f]{64}$' },
      cellplaneVersion: str,
      trigger: str,
    },
    ['allowed', 'deniedBy', 'manifestsDigest', 'cellplaneVersion', 'trigger'],
  ),
  accessChange: {
    type: 'object',
    required: ['from', 'to', 'port', 'layer', 'text'],
    properties: { from: str, to: str, port: int, method: str, path: str, layer: { type: ['string', 'null'] }, policies: strings, text: str },
  },
  change: obj(
    {
      at: time,
      environment: str,
      summary: str,
      accessDiff: obj({ added: { type: 'array', items: ref('accessChange') }, removed: { type: 'array', items: ref('accessChange') } }),
      cause: { type: 'object' },
      by: str,
      link: str,
      reason: str,
    },
    ['cause', 'by', 'link', 'reason'],
  ),
  environment: obj({
    environment: str,
    namespace: str,
    networkPolicy: oneOfValues('kubernetes', 'cilium'),
    mesh: { type: 'boolean' },
    register: { type: 'array', items: ref('flow') },
    platformFlows: { type: 'array', items: obj({ from: str, to: str, ports: str, why: str }) },
    matrices: obj({ intended: ref('matrix'), enforced: ref('matrix'), difference: { type: 'array', items: ref('difference') } }),
    verification: obj({ latest: ref('verification'), history: { type: 'array', items: ref('verification') }, historyKept: { type: 'boolean' } }),
    changes: { oneOf: [{ type: 'array', items: ref('change') }, { type: 'null' }] },
    notes: strings,
    diagram: obj({ mediaType: { const: 'image/svg+xml' }, svg: { type: 'string', pattern: '^<svg ' } }),
  }),
  generator: obj({ name: { const: 'cellplane' }, version: str }),
  pack: obj(
    {
      kind: { const: 'cellplane.io/evidence-pack' },
      schemaVersion: { const: 1 },
      generatedAt: time,
      generator: ref('generator'),
      cell: obj(
        {
          ref: str,
          name: str,
          title: str,
          owner: str,
          components: {
            type: 'array',
            items: obj({ ref: str, name: str, owner: str, endpoints: { type: 'array', items: obj({ name: str, port: int, protocol, visibility }) } }),
          },
        },
        ['title'],
      ),
      summary: obj(
        {
          result: oneOfValues('pass', 'fail'),
          flows: int,
          undeclaredFlows: int,
          flowsWithoutReason: int,
          flowsWithoutApproval: int,
          differences: int,
          lastAccessChangeAt: time,
        },
        ['lastAccessChangeAt'],
      ),
      environments: { type: 'array', items: ref('environment') },
      limits: strings,
    },
    ['title'],
  ),
};

/** An evidence pack (`kind: cellplane.io/evidence-pack`) or bundle (`cellplane.io/evidence-bundle`). */
export const EVIDENCE_SCHEMA: Schema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  title: 'Cellplane evidence pack',
  definitions,
  oneOf: [
    ref('pack'),
    obj({
      kind: { const: 'cellplane.io/evidence-bundle' },
      schemaVersion: { const: 1 },
      generatedAt: time,
      generator: ref('generator'),
      scope: { oneOf: [obj({ owner: str }), obj({ all: { const: true } })] },
      packs: { type: 'array', items: ref('pack') },
    }),
  ],
};

/** The JSON renderer: the pack or bundle itself, two-space indented, with a final newline. */
export function evidenceJson(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}
