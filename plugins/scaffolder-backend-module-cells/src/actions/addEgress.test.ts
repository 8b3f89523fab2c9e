import fs from 'node:fs';
import path from 'node:path';
import { createMockDirectory } from '@backstage/backend-test-utils';
import { JsonObject } from '@backstage/types';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import { AccessDiffView } from '@cellplane/cells-common';
import { ARTEMIS_DIR, artemisDeps } from '../__testUtils__/fixtures';
import { addEgressAction } from './addEgress';

const kennedy = fs.readFileSync(path.join(ARTEMIS_DIR, 'kennedy.yaml'), 'utf8');
const stationLastEntry =
  '    - { cidr: 10.20.8.0/24, except: [10.20.8.0/28], port: 5432, protocol: TCP, reason: "Managed PostgreSQL with the launch weather history" }\n';

describe('cellplane:egress:add', () => {
  const dir = createMockDirectory();
  beforeEach(() => dir.clear());

  function run(input: JsonObject) {
    dir.setContent({ 'ws/catalog-info.yaml': kennedy });
    const { deps } = artemisDeps();
    const ctx = createMockActionContext({ input, workspacePath: dir.resolve('ws') });
    return { ctx, done: addEgressAction(deps).handler(ctx as any) };
  }
  const edited = () => fs.readFileSync(dir.resolve('ws/catalog-info.yaml'), 'utf8');
  const diffOf = (ctx: { output: unknown }) => (ctx.output as jest.Mock).mock.calls.find(c => c[0] === 'accessDiff')[1] as AccessDiffView;

  it('appends a host entry in the style of the list, every other byte kept, and previews what it opens', async () => {
    const { ctx, done } = run({
      component: 'weather-station',
      host: 'api.weather.gov',
      ports: [80],
      protocol: 'HTTP',
      methods: ['GET'],
      paths: ['/points/*'],
      reason: 'gridpoint forecasts',
    });
    await done;
    expect(edited()).toBe(
      kennedy.replace(
        stationLastEntry,
        `${stationLastEntry}    - { host: api.weather.gov, port: 80, protocol: HTTP, methods: [GET], paths: [/points/*], reason: gridpoint forecasts }\n`,
      ),
    );
    expect(ctx.output).toHaveBeenCalledWith('entityRef', 'component:default/weather-station');
    const diff = diffOf(ctx);
    expect(diff.removed).toEqual([]);
    expect(diff.added.map(c => c.text)).toEqual(['kennedy/weather-station may now reach api.weather.gov:80 (HTTP GET /points/probe)']);
  });

  it('gives a component without egress its first entry (a network with a carve-out), the other documents untouched', async () => {
    const { ctx, done } = run({ component: 'component:default/launch-control', cidr: '10.20.9.0/24', except: ['10.20.9.0/28'], ports: [5432, 5433] });
    await done;
    // A new list after the spec's last line, its item in the style of the spec's other lists.
    const lastConnection = '    - { to: weather-station, endpoint: http, methods: [GET], paths: [/launch-criteria] }\n';
    expect(edited()).toBe(
      kennedy.replace(lastConnection, `${lastConnection}  egress:\n    - { cidr: 10.20.9.0/24, except: [10.20.9.0/28], ports: [5432, 5433] }\n`),
    );
    expect(diffOf(ctx).added.map(c => c.text)).toContain('kennedy/launch-control may now reach 10.20.9.129:5432 (TCP)');
  });

  it.each([
    [
      'a host outside the cell ceiling, naming the ceiling and the fix',
      { host: 'api.example.com', ports: [443], protocol: 'TLS' },
      /spec\.egress\[2\]\.host: api\.example\.com is outside the egress ceiling of system:default\/kennedy \(spec\.cell\.egress\.hosts: api\.weather\.gov\).*Fix: ask the owners of system:default\/kennedy to add api\.example\.com to spec\.cell\.egress\.hosts/s,
    ],
    [
      'a network outside the ceiling',
      { cidr: '10.30.0.0/24', ports: [5432] },
      /spec\.egress\[2\]\.cidr: 10\.30\.0\.0\/24 is outside the egress ceiling of system:default\/kennedy \(spec\.cell\.egress\.cidrs: 10\.20\.0\.0\/16\)/,
    ],
    [
      'the metadata address, which the platform never allows',
      { cidr: '169.254.169.254/32', ports: [80] },
      /spec\.egress\[2\]\.cidr: 169\.254\.169\.254\/32 lies inside 169\.254\.169\.254\/32, which cells\.egress\.deny never allows.*Fix: remove the entry/s,
    ],
    [
      'a host without a protocol',
      { host: 'api.weather.gov', ports: [443] },
      /spec\.egress\[2\]\.protocol: undefined is not a protocol for a host.*Fix: use one of TLS, HTTP, TCP/s,
    ],
    [
      'methods on TLS',
      { host: 'api.weather.gov', ports: [443], protocol: 'TLS', methods: ['GET'] },
      /spec\.egress\[2\]: methods and paths cannot be seen in TLS traffic.*Fix: leave methods and paths out/s,
    ],
    [
      'both a host and a cidr',
      { host: 'api.weather.gov', cidr: '10.20.0.0/24', ports: [443] },
      /spec\.egress\[2\]: must name exactly one of `host`, `cidr` or `platform`/,
    ],
    ['no port', { host: 'api.weather.gov', ports: [], protocol: 'TLS' }, /spec\.egress\[2\]: must give exactly one of `port` or `ports`/],
    [
      'an entry that is declared',
      { host: 'api.weather.gov', ports: [443], protocol: 'TLS', reason: 'NWS forecasts and observations for the launch weather criteria' },
      /spec\.egress: component:default\/weather-station already declares this entry/,
    ],
    [
      'an unknown component',
      { component: 'rover', host: 'api.weather.gov', ports: [443], protocol: 'TLS' },
      /component: component:default\/rover is not a component in the catalog/,
    ],
  ])('refuses %s and leaves the file alone', async (_, input, message) => {
    await expect(run({ component: 'weather-station', ...input }).done).rejects.toThrow(message);
    expect(edited()).toBe(kennedy);
  });
});
