import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseAllDocuments, stringify } from 'yaml';
import { cellplane } from '../testing/runCli';
import { writePlatformCatalog } from '../testing/platformCatalog';

const ARTEMIS = path.resolve(__dirname, '../../../../examples/artemis');

describe('cellplane simulate', () => {
  it('prints the documented JSON shape for an allowed mission flow', async () => {
    const { code, stdout } = await cellplane(
      'simulate',
      ARTEMIS,
      '--from',
      'houston/capcom',
      '--to',
      'orion/comms-system',
      '--method',
      'POST',
      '--path',
      '/uplink',
      '--json',
    );
    expect(code).toBe(0);
    const result = JSON.parse(stdout);
    expect(result).toMatchObject({ allowed: true, decidedBy: null });
    expect(result.layers.map((l: any) => [l.layer, l.verdict])).toEqual([
      ['L3/L4', 'allow'],
      ['mTLS', 'allow'],
      ['L7', 'allow'],
    ]);
    for (const layer of result.layers) {
      expect(Object.keys(layer).sort()).toEqual(['layer', 'policies', 'reason', 'verdict']);
    }
  });

  it('denies the SPOOF ID attack at L7 and says who the caller really is', async () => {
    const { code, stdout } = await cellplane(
      'simulate',
      ARTEMIS,
      '--rogue',
      'houston',
      '--to',
      'orion/comms-system',
      '--method',
      'POST',
      '--path',
      '/uplink',
      '--json',
    );
    expect(code).toBe(0);
    const result = JSON.parse(stdout);
    expect(result).toMatchObject({ allowed: false, decidedBy: 'L7' });
    expect(result.layers[2]).toMatchObject({ layer: 'L7', verdict: 'deny', policies: ['dp-default-orion-development-1bced798/comms-system'] });
    expect(result.explanation).toContain('sa/cell.rogue');
  });

  describe('outside the cluster', () => {
    const run = async (...args: string[]) => {
      const { code, stdout, stderr } = await cellplane('simulate', ARTEMIS, ...args, '--json');
      expect([code, stderr]).toEqual([0, '']);
      return JSON.parse(stdout);
    };
    it.each([
      ['weather-station to its declared host', ['--from', 'kennedy/weather-station', '--to-host', 'api.weather.gov', '--port', '443'], true, null, undefined],
      ['weather-station to its managed database', ['--from', 'kennedy/weather-station', '--to-ip', '10.20.8.129', '--port', '5432'], true, null, undefined],
      ['another component to the host', ['--from', 'kennedy/launch-control', '--to-host', 'api.weather.gov', '--port', '443'], false, 'L3/L4', undefined],
      [
        'a rogue pod in kennedy to the host',
        ['--rogue', 'kennedy', '--to-host', 'api.weather.gov', '--port', '443'],
        false,
        'L7',
        'cellplane-egress/api.weather.gov',
      ],
      ['the metadata address', ['--from', 'kennedy/weather-station', '--to-ip', '169.254.169.254', '--port', '80'], false, 'L3/L4', undefined],
      ['an undeclared host', ['--from', 'kennedy/weather-station', '--to-host', 'exfil.example', '--port', '443'], false, 'L3/L4', undefined],
      ['the declared host on the next port', ['--from', 'kennedy/weather-station', '--to-host', 'api.weather.gov', '--port', '444'], false, 'L3/L4', undefined],
      [
        'another SNI through the declared host',
        ['--from', 'kennedy/weather-station', '--to-host', 'api.weather.gov', '--port', '443', '--sni', 'exfil.example'],
        false,
        'L7',
        'cellplane-egress/api.weather.gov',
      ],
    ])('%s', async (_name, args, allowed, decidedBy, policy) => {
      const result = await run(...(args as string[]));
      expect(result).toMatchObject({ allowed, decidedBy });
      // The deciding layer's policies: the host's own policy when the waypoint decides.
      const deciding = result.layers.find((l: any) => l.layer === (decidedBy ?? 'L7'));
      expect(deciding.policies.includes(policy ?? 'cellplane-egress/api.weather.gov')).toBe(policy !== undefined || (allowed && args.includes('--to-host')));
    });
    it('needs --port, and one kind of destination', async () => {
      expect((await cellplane('simulate', ARTEMIS, '--from', 'kennedy/weather-station', '--to-host', 'api.weather.gov')).stderr).toMatch(/--port \(missing\)/);
      expect(
        (
          await cellplane(
            'simulate',
            ARTEMIS,
            '--from',
            'kennedy/weather-station',
            '--to',
            'orion/comms-system',
            '--to-host',
            'api.weather.gov',
            '--port',
            '443',
          )
        ).stderr,
      ).toMatch(/give --to <cell>\/<component>, --to-host/);
    });
  });

  describe("flight-director's front door (issue #23)", () => {
    const CONFIG = path.resolve(ARTEMIS, '../../app-config.yaml');
    const TOKENS = path.resolve(ARTEMIS, '../artemis-tokens');
    const abort = ['simulate', ARTEMIS, '--gateway', '--to', 'houston/flight-director', '--method', 'POST', '--path', '/decision/abort'];

    it('denies the unauthenticated abort at the front door, with its reason, also where the provider is not configured', async () => {
      const configured = JSON.parse((await cellplane(...abort, '--config', CONFIG, '--json')).stdout);
      expect(configured).toMatchObject({ allowed: false, decidedBy: 'edge-auth', edge: { verdict: 'deny', reason: 'no-token' } });
      const text = (await cellplane(...abort, '--config', CONFIG)).stdout;
      expect(text).toMatch(/^DENIED at edge-auth: the external gateway -> houston\/flight-director POST \/decision\/abort/);
      expect(text).toContain('no token; the endpoint requires one from artemis-idp (https://idp.artemis.example)');
      const unconfigured = JSON.parse((await cellplane(...abort, '--jwt', path.join(TOKENS, 'flight-director.json'), '--json')).stdout);
      expect(unconfigured).toMatchObject({ allowed: false, decidedBy: 'edge-auth', edge: { reason: 'provider-not-configured' } });
    });

    it.each([
      ['flight-director.json', true, 'authenticated'],
      ['observer.json', false, 'missing-claim'],
      ['foreign-issuer.json', false, 'unknown-issuer'],
    ])('with --jwt %s: allowed %s (%s), and the compiled waypoint policy agrees', async (file, allowed, reason) => {
      const { stdout } = await cellplane(...abort, '--config', CONFIG, '--jwt', path.join(TOKENS, file), '--json');
      const result = JSON.parse(stdout);
      expect(result).toMatchObject({ allowed, edge: { reason } });
      expect(result.layers.find((l: { layer: string }) => l.layer === 'L7').verdict).toBe(allowed ? 'allow' : 'deny');
    });

    it('reads a JWT, decoding only its payload', async () => {
      const claims = JSON.parse(fs.readFileSync(path.join(TOKENS, 'flight-director.json'), 'utf8'));
      const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
      const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'cellplane-jwt-')), 'token.jwt');
      fs.writeFileSync(file, `${part({ alg: 'ES256' })}.${part(claims)}.not-a-signature\n`);
      const { stdout } = await cellplane(...abort, '--config', CONFIG, '--jwt', file, '--json');
      expect(JSON.parse(stdout)).toMatchObject({ allowed: true, edge: { reason: 'authenticated' } });
    });

    it('refuses an unreadable token, and a token without --gateway', async () => {
      const bad = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'cellplane-jwt-')), 'bad.json');
      fs.writeFileSync(bad, 'not a token');
      expect((await cellplane(...abort, '--jwt', bad)).stderr).toMatch(/--jwt .*bad\.json: neither a JSON object of claims nor a JWT/);
      const fromCapcom = ['simulate', ARTEMIS, '--from', 'houston/capcom', '--to', 'houston/flight-director', '--jwt', bad];
      expect((await cellplane(...fromCapcom)).stderr).toMatch(/--jwt: only a request from --gateway carries a token/);
    });
  });

  it.each([
    [['--to', 'orion/comms-system'], /exactly one of --from/],
    [['--from', 'houston/capcom', '--rogue', 'orion', '--to', 'orion/comms-system'], /exactly one of --from/],
    [['--from', 'houston', '--to', 'orion/comms-system'], /--from houston: write <cell>\/<component>/],
    [['--from', 'mars/rover', '--to', 'orion/comms-system'], /no cell mars/],
    [['--from', 'houston/rover', '--to', 'orion/comms-system'], /cell houston has no component rover; it has: capcom/],
    [['--rogue', 'orion', '--to', 'orion/comms-system', '--endpoint', 'grpc'], /has no endpoint grpc/],
  ])('refuses bad arguments %j', async (args, message) => {
    const { code, stderr } = await cellplane('simulate', ARTEMIS, ...args);
    expect(code).toBe(1);
    expect(stderr).toMatch(message);
  });
});

describe('cellplane simulate with platform services', () => {
  let dir: string;
  let paths: { catalog: string; config: string };
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cellplane-simulate-platform-'));
    paths = writePlatformCatalog(dir);
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  const run = async (...args: string[]) => {
    const { code, stdout, stderr } = await cellplane('simulate', paths.catalog, '--config', paths.config, ...args, '--json');
    expect([code, stderr]).toEqual([0, '']);
    return JSON.parse(stdout);
  };

  // [case, arguments, allowed, deciding layer]
  it.each([
    ['the scraper GETs the metrics path', ['--from-platform', 'monitoring', '--to', 'telemetry/ingest'], true, null],
    ['the scraper POSTs to it', ['--from-platform', 'monitoring', '--to', 'telemetry/ingest', '--method', 'POST', '--path', '/metrics'], false, 'L7'],
    ['the scraper GETs another path', ['--from-platform', 'monitoring', '--to', 'telemetry/ingest', '--path', '/admin'], false, 'L7'],
    ['the scraper on the other endpoint', ['--from-platform', 'monitoring', '--to', 'telemetry/ingest', '--port', '8080'], false, 'L7'],
    ['a component calls its collector', ['--from', 'telemetry/ingest', '--to-platform', 'otel-collector', '--port', '4317'], true, null],
    ['on a port it did not declare', ['--from', 'telemetry/ingest', '--to-platform', 'otel-collector', '--port', '4318'], false, 'L3/L4'],
    ['the API server', ['--from', 'telemetry/ingest', '--to-platform', 'kube-apiserver', '--port', '6443'], true, null],
    ['another component to the API server', ['--from', 'telemetry/store', '--to-platform', 'kube-apiserver', '--port', '6443'], false, 'L3/L4'],
  ])('%s', async (_name, args, allowed, decidedBy) => {
    expect(await run(...(args as string[]))).toMatchObject({ allowed, decidedBy });
  });

  it.each([
    [['--from-platform', 'monitoring'], /--from-platform scrapes a component: give --to/],
    [
      ['--from-platform', 'prometheus', '--to', 'telemetry/ingest'],
      /prometheus is not a platform service that scrapes \(cells.platform.services: monitoring\)/,
    ],
    [
      ['--from', 'telemetry/ingest', '--to-platform', 'otel', '--port', '4317'],
      /otel is not a platform service that components call \(cells.platform.services: kube-apiserver, otel-collector, tracing\)/,
    ],
    [['--from', 'telemetry/ingest', '--to-platform', 'otel-collector'], /--to-platform needs --port/],
    [['--gateway', '--to-platform', 'otel-collector', '--port', '4317'], /the external gateway calls no platform service/],
  ])('refuses %j', async (args, message) => {
    const { code, stderr } = await cellplane('simulate', paths.catalog, '--config', paths.config, ...args);
    expect(code).toBe(1);
    expect(stderr).toMatch(message);
  });
});

describe('cellplane verify', () => {
  it('passes on the Artemis example', async () => {
    const { code, stdout } = await cellplane('verify', ARTEMIS);
    expect(stdout).toMatch(/^development: \d+ requests checked, 0 violations$/m);
    expect(stdout).toMatch(/^OK/m);
    expect(code).toBe(0);
  });

  it('fails on a deliberately widened manifest, listing each violation', async () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cellplane-verify-'));
    expect((await cellplane('render', ARTEMIS, '--out', tmp)).code).toBe(0);
    const orion = path.join(tmp, 'development', 'orion.yaml');
    // Someone "fixes" crew-interface's access by hand: any method, any path on life-support.
    const docs = parseAllDocuments(fs.readFileSync(orion, 'utf8')).map(d => d.toJS());
    const policy = docs.find(d => d.kind === 'AuthorizationPolicy' && d.metadata.name === 'life-support');
    delete policy.spec.rules[0].to;
    fs.writeFileSync(orion, docs.map(d => stringify(d)).join('---\n'));
    const { code, stdout } = await cellplane('verify', ARTEMIS, '--manifests', tmp);
    expect(code).toBe(1);
    expect(stdout).toMatch(
      /component:default\/crew-interface -> component:default\/life-support \(http\) DELETE \/cellplane-undeclared-probe: ALLOWED but the catalog does not declare it/,
    );
    expect(stdout).toMatch(/^FAILED/m);
    expect(
      (await cellplane('verify', ARTEMIS, '--manifests', path.join(tmp, 'development', 'houston.yaml'), path.join(tmp, 'development', 'kennedy.yaml'))).code,
    ).toBe(1);
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('refuses a catalog with problems before verifying anything', async () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cellplane-verify-'));
    fs.writeFileSync(
      path.join(tmp, 'bad.yaml'),
      'apiVersion: backstage.io/v1alpha1\nkind: System\nmetadata: {name: a}\nspec: {owner: t, cell: {environments: [nowhere]}}\n',
    );
    const { code, stderr } = await cellplane('verify', tmp);
    expect(code).toBe(1);
    expect(stderr).toMatch(/system:default\/a: spec.cell.environments: environment "nowhere" is not configured/);
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('prints JSON with every environment and exits 0 when clean', async () => {
    const { code, stdout } = await cellplane('verify', ARTEMIS, '--json');
    const report = JSON.parse(stdout);
    expect(report.ok).toBe(true);
    expect(report.environments[0]).toMatchObject({ environment: 'development', violations: [] });
    expect(code).toBe(0);
  });
});

describe('cellplane verify --manifests with a malformed manifest', () => {
  it('exits 1 naming the object and the field, not with an internal error', async () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cellplane-verify-'));
    fs.writeFileSync(
      path.join(tmp, 'broken.yaml'),
      'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: broken, namespace: x}\nspec: {podSelector: {}, policyTypes: [Sideways]}\n',
    );
    const { code, stderr } = await cellplane('verify', ARTEMIS, '--manifests', tmp);
    expect(code).toBe(1);
    expect(stderr).toMatch(/^cellplane: the manifests have 1 problem[\s\S]*broken/);
    expect(stderr).not.toMatch(/internal error/);
    fs.rmSync(tmp, { recursive: true, force: true });
  });
});
