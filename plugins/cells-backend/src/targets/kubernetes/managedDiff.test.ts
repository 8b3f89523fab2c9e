import { managedDiff, managedPart } from './managedDiff';

describe('managedDiff', () => {
  const compiled = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'api', namespace: 'ns', labels: { a: '1' } },
    spec: { selector: { app: 'api' }, ports: [{ name: 'http', port: 8080 }] },
  };

  it('ignores server defaults, status and server-set metadata', () => {
    const live = {
      ...compiled,
      metadata: {
        ...compiled.metadata,
        uid: 'u',
        resourceVersion: '5',
        labels: { a: '1', extra: 'x' },
      },
      spec: {
        ...compiled.spec,
        clusterIP: '10.96.0.5',
        ports: [
          { name: 'http', port: 8080, protocol: 'TCP', targetPort: 8080 },
        ],
      },
      status: { loadBalancer: {} },
    };
    expect(managedDiff(managedPart(compiled), live)).toEqual([]);
  });

  it('names each changed, removed or added managed field', () => {
    const live = {
      ...compiled,
      metadata: { ...compiled.metadata, labels: {} },
      spec: {
        selector: { app: 'other' },
        ports: [compiled.spec.ports[0], { name: 'debug', port: 9000 }],
      },
    };
    expect(managedDiff(managedPart(compiled), live)).toEqual([
      'metadata.labels.a: "1" -> (absent)',
      'spec.ports[1]: (absent) -> {"name":"debug","port":9000}',
      'spec.selector.app: "api" -> "other"',
    ]);
  });
});
