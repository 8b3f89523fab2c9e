import { buildCellModel } from '../validation/catalog';
import { artemisEntities, artemisSettings } from '../testing/artemis';
import { Reach } from './blastRadius';
import { CellModel } from '../model/types';
import { compareText } from '../order';
import { createSimulation } from './simulation';
import { blastRadius } from './blastRadius';

const { model } = buildCellModel(artemisEntities(), { defaultEnvironments: ['development'] });
// With the example's identity provider: the gateway's probes carry the token flight-director's front door requires.
const sim = createSimulation(model, artemisSettings(), 'development');

/** What the catalog grants the caller, summarised per endpoint as a Reach (undefined: all). */
function declaredReach(m: CellModel, isCaller: (g: CellModel['grants'][number]) => boolean, name: (g: CellModel['grants'][number]) => string): Reach[] {
  const byEndpoint = new Map<string, Reach & { all: { methods: boolean; paths: boolean } }>();
  for (const g of m.grants.filter(isCaller)) {
    const port = m.components.find(c => c.ref === g.callee)!.endpoints.find(e => e.name === g.endpoint)!.port;
    const key = `${name(g)} ${g.endpoint}`;
    const r = byEndpoint.get(key) ?? { component: name(g), endpoint: g.endpoint, port, methods: [], paths: [], all: { methods: false, paths: false } };
    if (!g.methods) r.all.methods = true;
    else r.methods = [...new Set([...r.methods!, ...g.methods])].sort();
    if (!g.paths) r.all.paths = true;
    else r.paths = [...new Set([...r.paths!, ...g.paths])].sort();
    byEndpoint.set(key, r);
  }
  return [...byEndpoint.values()].map(({ all, methods, paths, ...r }) => ({ ...r, ...(all.methods ? {} : { methods }), ...(all.paths ? {} : { paths }) }));
}

const sortReach = (list: Reach[]) => [...list].sort((a, b) => compareText(`${a.component} ${a.endpoint}`, `${b.component} ${b.endpoint}`));

describe('blastRadius on Artemis II', () => {
  it('capcom reaches exactly what it declares, and is reached by exactly its grantees', () => {
    const capcom = 'component:default/capcom';
    const radius = blastRadius(sim, { component: capcom });
    const expected = declaredReach(
      model,
      g => g.caller.kind === 'component' && g.caller.ref === capcom,
      g => g.callee,
    );
    expect(expected).toEqual([
      { component: 'component:default/comms-system', endpoint: 'http', port: 8080, methods: ['POST'], paths: ['/uplink', '/uplink/*'] },
      { component: 'component:default/signal-router', endpoint: 'http', port: 8080, methods: ['GET'] },
    ]);
    expect(sortReach(radius.reaches)).toEqual(sortReach(expected));
    const callers = declaredReach(
      model,
      g => g.callee === capcom,
      g => (g.caller.kind === 'gateway' ? 'gateway' : g.caller.ref),
    );
    expect(sortReach(radius.reachedBy)).toEqual(sortReach(callers));
    expect(radius.reachedBy.map(r => r.component)).toEqual(['component:default/flight-director']);
  });

  it.each(model.components.map(c => c.name))('%s reaches exactly what the catalog grants it', name => {
    const ref = `component:default/${name}`;
    const expected = declaredReach(
      model,
      g => g.caller.kind === 'component' && g.caller.ref === ref,
      g => g.callee,
    );
    expect(sortReach(blastRadius(sim, { component: ref }).reaches)).toEqual(sortReach(expected));
  });

  it.each(model.cells.map(c => c.ref))('a rogue pod in %s reaches no component', cell => {
    const radius = blastRadius(sim, { rogue: cell });
    expect({ reaches: radius.reaches, reachedBy: radius.reachedBy }).toEqual({ reaches: [], reachedBy: [] });
    // Outside the cluster: only kennedy's network, to a pod wearing weather-station's labels (egressReach.test.ts).
    expect(radius.egress.map(e => e.id)).toEqual(cell === 'system:default/kennedy' ? ['cidr:10.20.8.0/24'] : []);
  });

  it('the external gateway reaches the operations of flight-director-api only', () => {
    expect(blastRadius(sim, { gateway: true }).reaches).toEqual([
      {
        component: 'component:default/flight-director',
        endpoint: 'http',
        port: 8080,
        methods: ['GET', 'POST'],
        paths: ['/dashboard', '/decision/abort', '/decision/go-nogo', '/decisions/{*}'],
      },
    ]);
  });

  it('refuses an unknown component', () => {
    expect(() => blastRadius(sim, { component: 'component:default/nope' })).toThrow(/component:default\/nope is not a component deployed to development/);
  });
});
