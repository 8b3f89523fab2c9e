import path from 'node:path';
import { Entity } from '@backstage/catalog-model';
import { compileCells } from '../compiler';
import { toYaml } from '../compiler/yaml';
import { GatewayImplementation } from '../settings/settings';
import { buildCellModel, modelOptions } from '../validation/catalog';
import { artemisEntities, artemisSettings } from './artemis';

/** The compiler's golden files for examples/artemis, one `<cell>.yaml` per cell. */
export const ARTEMIS_GOLDEN_DIR = path.resolve(__dirname, '../compiler/__golden__/artemis');
/** The files that differ with cells.gateway.implementation: envoy-gateway (every other file is the same as with istio). */
export const ARTEMIS_ENVOY_GATEWAY_GOLDEN_DIR = path.resolve(__dirname, '../compiler/__golden__/artemis-envoy-gateway');

/** With Envoy Gateway, flight-director's public endpoint is also rate limited (Istio refuses a rate limit). */
function withRateLimit(entities: Entity[]): Entity[] {
  return entities.map(e => {
    if (e.metadata.name !== 'flight-director') return e;
    const spec = e.spec as { endpoints: Record<string, unknown>[] };
    return { ...e, spec: { ...spec, endpoints: spec.endpoints.map(x => ({ ...x, rateLimit: { requests: 20, per: 'minute', by: 'claim:sub' } })) } };
  });
}

/**
 * examples/artemis compiled with the default settings and app-config.yaml's
 * gateway (the example's identity provider): each cell's YAML as its golden file holds it.
 */
export function compileArtemisGoldens(implementation: GatewayImplementation = 'istio') {
  const settings = artemisSettings({ implementation });
  const entities = implementation === 'envoy-gateway' ? withRateLimit(artemisEntities()) : artemisEntities();
  const { model, problems } = buildCellModel(entities, modelOptions(settings));
  const result = compileCells(model, settings);
  return {
    problems: [...problems, ...result.problems],
    files: [
      ...result.cells.map(cell => ({ name: `${cell.cellName}.yaml`, yaml: toYaml(cell.objects) })),
      // The platform egress namespace (kennedy/weather-station declares api.weather.gov).
      ...result.egress.map(egress => ({ name: `_egress.${egress.environment}.yaml`, yaml: toYaml(egress.objects) })),
    ],
  };
}
