import { CallGrant } from './types';
import { grantsTo } from './grantIndex';

const grant = (callee: string, endpoint: string, caller: string): CallGrant =>
  ({ caller: { kind: 'component', ref: caller }, callee, endpoint, field: 'spec.connections[0]', declaredBy: caller } as unknown as CallGrant);

describe('grantsTo', () => {
  it.each([3, 30])('answers as a scan of %i grants does, in the model order', count => {
    const grants = Array.from({ length: count }, (_, i) => grant(`component:default/c${i % 4}`, i % 3 ? 'http' : 'grpc', `component:default/x${i}`));
    for (const callee of ['component:default/c0', 'component:default/c3', 'component:default/nobody']) {
      for (const endpoint of ['http', 'grpc', 'none']) {
        expect(grantsTo(grants, callee, endpoint)).toEqual(grants.filter(g => g.callee === callee && g.endpoint === endpoint));
      }
    }
  });

  it('indexes each grants array on its own: a model derived with other grants is not answered from the first', () => {
    const a = Array.from({ length: 20 }, (_, i) => grant('component:default/c', 'http', `component:default/a${i}`));
    const b = a.slice(0, 10);
    expect(grantsTo(a, 'component:default/c', 'http')).toHaveLength(20);
    expect(grantsTo(b, 'component:default/c', 'http')).toHaveLength(10);
  });
});
