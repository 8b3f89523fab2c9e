import type { TopologyResponse } from '../api/types';

/** The props rjsf hands a custom field, with what a test sets. */
export function fieldProps<T>(overrides: {
  name?: string;
  formData?: T;
  schema?: Record<string, unknown>;
  uiSchema?: Record<string, unknown>;
  formContext?: { formData: Record<string, unknown> };
  onChange?: (value: T | undefined) => void;
  rawErrors?: string[];
}): any {
  const name = overrides.name ?? 'field';
  return {
    name,
    formData: overrides.formData,
    schema: overrides.schema ?? { type: 'string', title: 'Field' },
    uiSchema: overrides.uiSchema ?? {},
    idSchema: { $id: `root_${name}` },
    formContext: overrides.formContext ?? { formData: {} },
    onChange: overrides.onChange ?? jest.fn(),
    onBlur: jest.fn(),
    onFocus: jest.fn(),
    rawErrors: overrides.rawErrors ?? [],
    required: false,
    disabled: false,
    readonly: false,
    registry: {},
  };
}

const endpoint = (name: string, visibility: 'project' | 'organization' | 'public', port = 8080) => ({
  name,
  port,
  protocol: 'HTTP' as const,
  visibility,
});

const component = (cell: string, name: string, title: string, endpoints: ReturnType<typeof endpoint>[]) => ({
  entityRef: `component:default/${name}`,
  name,
  title,
  owner: `group:default/${cell}-team`,
  cell: `system:default/${cell}`,
  endpoints,
  protection: { l3l4: true, mtls: true, l7: true },
});

/** Two cells: houston (capcom, flight-director) and orion (comms-system, guidance-nav, life-support). */
export function pickerTopology(): TopologyResponse {
  const cell = (name: string, title: string, components: string[]) => ({
    entityRef: `system:default/${name}`,
    title,
    owner: `group:default/${name}-team`,
    namespace: name,
    state: 'in-sync' as const,
    message: '',
    components: components.map(c => `component:default/${c}`),
  });
  return {
    environment: 'development',
    environments: ['development'],
    cells: [cell('houston', 'Houston', ['capcom', 'flight-director']), cell('orion', 'Orion', ['comms-system', 'guidance-nav', 'life-support'])],
    components: [
      component('houston', 'capcom', 'CAPCOM', [endpoint('http', 'project')]),
      component('houston', 'flight-director', 'Flight Director', [endpoint('http', 'public'), endpoint('admin', 'project', 9090)]),
      component('orion', 'comms-system', 'Comms System', [endpoint('http', 'organization')]),
      component('orion', 'guidance-nav', 'Guidance', [endpoint('http', 'project')]),
      component('orion', 'life-support', 'Life Support', [endpoint('http', 'project'), endpoint('telemetry', 'organization', 9100)]),
    ],
    edges: [],
    externals: [],
    egress: [],
  };
}
