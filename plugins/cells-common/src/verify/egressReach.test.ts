import { buildCellModel } from '../validation/catalog';
import { DEFAULT_SETTINGS } from '../settings/settings';
import { artemisEntities } from '../testing/artemis';
import { createSimulation } from './simulation';
import { egressDestinations, egressReach, egressReachByComponent } from './egressReach';
import { blastRadius } from './blastRadius';

const { model } = buildCellModel(artemisEntities(), { defaultEnvironments: ['development'] });
const sim = createSimulation(model, DEFAULT_SETTINGS, 'development');
const WEATHER = 'component:default/weather-station';
const HOST = { id: 'external:api.weather.gov', kind: 'host', target: 'api.weather.gov', port: 443, protocol: 'TLS' };
const NETWORK = { id: 'cidr:10.20.8.0/24', kind: 'cidr', target: '10.20.8.0/24', except: ['10.20.8.0/28'], port: 5432, protocol: 'TCP' };

describe('egressReach on Artemis II', () => {
  it('lists the declared destinations once each, sorted', () => {
    expect(egressDestinations(sim)).toEqual([NETWORK, HOST]);
  });

  it('weather-station reaches the weather API and the database network, and no other component reaches either', () => {
    const byComponent = egressReachByComponent(sim, model.components);
    expect([...byComponent.keys()]).toEqual([WEATHER]);
    expect(byComponent.get(WEATHER)).toEqual([NETWORK, HOST]);
  });

  it("a rogue pod in kennedy wearing weather-station's labels reaches the network (L3/L4 by labels) but not the host (principal at the waypoint)", () => {
    expect(egressReach(sim, { rogue: 'system:default/kennedy' })).toEqual([NETWORK]);
    expect(egressReach(sim, { rogue: 'system:default/orion' })).toEqual([]);
  });

  it('is what the analyzer says: without the compiled egress objects the host is out of reach', () => {
    const bare = createSimulation(
      { ...model, components: model.components.map(c => (c.ref === WEATHER ? { ...c, egress: [] } : c)) },
      DEFAULT_SETTINGS,
      'development',
    );
    expect(egressReach(bare, { component: WEATHER }, egressDestinations(sim))).toEqual([]);
  });

  it('blast radius includes the egress of the compromised component', () => {
    expect(blastRadius(sim, { component: WEATHER }).egress).toEqual([NETWORK, HOST]);
    expect(blastRadius(sim, { component: 'component:default/capcom' }).egress).toEqual([]);
  });
});
