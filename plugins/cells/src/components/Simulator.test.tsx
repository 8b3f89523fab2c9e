import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { renderInTestApp } from '@backstage/frontend-test-utils';
import { cellsApiRef } from '../api/CellsApi';
import { largeTopology, testTopology } from '../lib/testTopology';
import { Simulator } from './Simulator';
import { mockCellsApi } from './testApi';

describe('Simulator', () => {
  it('runs a preset in one click and shows each layer with the deciding one', async () => {
    const api = mockCellsApi();
    const onResult = jest.fn();
    await renderInTestApp(<Simulator topology={testTopology()} environment="dev" onResult={onResult} />, { apis: [[cellsApiRef, api]] });
    fireEvent.click(await screen.findByText('Rogue pod in houston -> orion/comms-system'));
    expect(await screen.findByTestId('simulation-verdict')).toHaveTextContent('Denied at L7');
    expect(screen.getByTestId('simulation-request')).toHaveTextContent('POST /uplink from a rogue pod in houston to orion/comms-system');
    expect(api.simulate).toHaveBeenCalledWith({ from: { rogue: 'houston' }, to: 'orion/comms-system', method: 'POST', path: '/uplink', environment: 'dev' });
    const rows = within(screen.getByLabelText('verdict per layer'))
      .getAllByRole('row')
      .map(r => r.textContent);
    expect(rows).toEqual([
      'LayerVerdictReason',
      'L3/L4allowhouston may reach port 8080 [orion/allow-houston]',
      'mTLSallowSTRICT mTLS, the caller has an identity',
      'L7denyno ALLOW policy admits the rogue identity',
    ]);
    expect(screen.getByTestId('simulation-explanation')).toHaveTextContent('denied at L7');
    expect(onResult).toHaveBeenCalledWith(expect.objectContaining({ to: 'orion/comms-system' }), expect.objectContaining({ decidedBy: 'L7' }));
    // The form now shows the preset's request.
    expect(screen.getByLabelText('Path')).toHaveValue('/uplink');
  });

  it('filters the presets by a phrase of their titles', async () => {
    await renderInTestApp(<Simulator topology={testTopology()} environment="dev" onResult={jest.fn()} />, { apis: [[cellsApiRef, mockCellsApi()]] });
    const group = await screen.findByRole('group', { name: 'attack presets' });
    await within(group).findByText('Rogue pod in houston -> orion/comms-system');
    fireEvent.change(screen.getByLabelText('Filter attacks'), { target: { value: 'in orion' } });
    expect(
      within(group)
        .getAllByRole('button')
        .map(b => b.textContent),
    ).toEqual(['Rogue pod in orion -> houston/flight-director', 'Run all']);
  });

  it('submits the form as a simulate body', async () => {
    const api = mockCellsApi();
    await renderInTestApp(<Simulator topology={testTopology()} environment="dev" onResult={jest.fn()} />, { apis: [[cellsApiRef, api]] });
    fireEvent.change(screen.getByLabelText('Path'), { target: { value: '/status' } });
    fireEvent.click(screen.getByRole('button', { name: 'Simulate' }));
    await waitFor(() =>
      expect(api.simulate).toHaveBeenCalledWith({ from: { rogue: 'houston' }, to: 'houston/capcom', method: 'GET', path: '/status', environment: 'dev' }),
    );
  });

  it("runs all presets into a table and shows the backend's error per attack", async () => {
    const api = mockCellsApi();
    api.simulate.mockImplementation(async body => {
      if (typeof body.from !== 'string' && 'rogue' in body.from && body.from.rogue === 'orion')
        throw new Error('to: no component "houston/flight-director" (400 Bad Request)');
      return {
        allowed: false,
        decidedBy: 'L7',
        explanation: 'denied at L7',
        layers: [{ layer: 'L7', verdict: 'deny', policies: [], reason: 'no ALLOW policy admits it' }],
        hops: [],
      };
    });
    await renderInTestApp(<Simulator topology={testTopology()} environment="dev" onResult={jest.fn()} />, { apis: [[cellsApiRef, api]] });
    fireEvent.click(await screen.findByText('Run all'));
    const table = await screen.findByLabelText('all attacks');
    const rows = within(table)
      .getAllByRole('row')
      .map(r => r.textContent);
    expect(rows).toEqual([
      'AttackResultDeciding layerReason',
      'Rogue pod in houston -> orion/comms-systemdeniedL7no ALLOW policy admits it',
      'Rogue pod in orion -> houston/flight-directorerror—to: no component "houston/flight-director" (400 Bad Request)',
    ]);
  });

  it('asks the backend for the presets of one rogue pod and target cell, and says when the list was cut', async () => {
    const api = mockCellsApi();
    const preset = (i: number) => ({
      id: `p${i}`,
      title: `rogue pod in houston: GET /p${i} on orion/comms-system`,
      body: { from: { rogue: 'houston' }, to: 'orion/comms-system', method: 'GET', path: `/p${i}` },
    });
    api.listAttacks.mockImplementation(async query => ({
      environment: 'dev',
      items: query?.rogue ? [preset(1)] : [preset(1), preset(2)],
      truncated: !query?.rogue,
    }));
    await renderInTestApp(<Simulator topology={testTopology()} environment="dev" onResult={jest.fn()} />, { apis: [[cellsApiRef, api]] });
    expect(await screen.findByRole('status')).toHaveTextContent('Showing the first 2 attacks; choose where they come from and what they target');
    expect(api.listAttacks).toHaveBeenLastCalledWith({ environment: 'dev', rogue: undefined, target: undefined });
    fireEvent.mouseDown(screen.getByLabelText('Attacks from'));
    fireEvent.click(await screen.findByRole('option', { name: 'a rogue pod in houston' }));
    await waitFor(() => expect(api.listAttacks).toHaveBeenLastCalledWith({ environment: 'dev', rogue: 'houston', target: undefined }));
    await waitFor(() => expect(screen.queryByRole('status')).toBeNull());
    fireEvent.mouseDown(screen.getByLabelText('Attacks on'));
    fireEvent.click(await screen.findByRole('option', { name: 'orion' }));
    await waitFor(() => expect(api.listAttacks).toHaveBeenLastCalledWith({ environment: 'dev', rogue: 'houston', target: 'orion' }));
    const group = screen.getByRole('group', { name: 'attack presets' });
    expect(
      within(group)
        .getAllByRole('button')
        .map(b => b.textContent),
    ).toEqual(['rogue pod in houston: GET /p1 on orion/comms-system', 'Run all']);
  });

  it('runs all with a few simulations in flight at a time', async () => {
    const api = mockCellsApi();
    const items = Array.from({ length: 12 }, (_, i) => ({
      id: `p${i}`,
      title: `attack ${i}`,
      body: { from: { rogue: 'houston' }, to: 'orion/comms-system', method: 'GET', path: `/p${i}` },
    }));
    api.listAttacks.mockResolvedValue({ environment: 'dev', items, truncated: false });
    let inFlight = 0;
    let most = 0;
    api.simulate.mockImplementation(async () => {
      most = Math.max(most, ++inFlight);
      // Every worker of the pool calls simulate before any answer: yield once so the four overlap.
      await Promise.resolve();
      inFlight--;
      return { allowed: false, decidedBy: 'L7', explanation: 'denied at L7', layers: [], hops: [] };
    });
    await renderInTestApp(<Simulator topology={testTopology()} environment="dev" onResult={jest.fn()} />, { apis: [[cellsApiRef, api]] });
    fireEvent.click(await screen.findByText('Run all'));
    const table = await screen.findByLabelText('all attacks');
    expect(within(table).getAllByRole('row')).toHaveLength(13);
    expect(api.simulate).toHaveBeenCalledTimes(12);
    expect(most).toBeGreaterThan(1);
    expect(most).toBeLessThanOrEqual(4);
  });

  it('picks source and target among 5,000 components by typing, rendering a few dozen options at a time, in natural order', async () => {
    const api = mockCellsApi();
    await renderInTestApp(<Simulator topology={largeTopology(500)} environment="dev" onResult={jest.fn()} />, { apis: [[cellsApiRef, api]] });
    const source = screen.getByLabelText('Source');
    expect(source).toHaveValue('rogue pod in cell-0');
    fireEvent.mouseDown(source);
    const sources = within(screen.getByRole('listbox'))
      .getAllByRole('option')
      .map(o => o.textContent);
    expect(sources).toHaveLength(51);
    expect(sources.slice(0, 4)).toEqual(['external gateway', 'rogue pod in cell-0', 'rogue pod in cell-1', 'rogue pod in cell-2']);
    expect(sources[50]).toBe('…and 5,451 more: type to narrow the list');
    fireEvent.change(source, { target: { value: 'cell-2/' } });
    expect(
      within(screen.getByRole('listbox'))
        .getAllByRole('option')
        .map(o => o.textContent)
        .slice(0, 3),
    ).toEqual(['cell-2/svc-20', 'cell-2/svc-21', 'cell-2/svc-22']);
    fireEvent.click(screen.getByRole('option', { name: 'cell-2/svc-21' }));
    const target = screen.getByLabelText('Target');
    expect(target).toHaveValue('cell-0/svc-0');
    fireEvent.mouseDown(target);
    fireEvent.change(target, { target: { value: 'svc-4999' } });
    fireEvent.click(screen.getByRole('option', { name: 'cell-499/svc-4999' }));
    fireEvent.click(screen.getByRole('button', { name: 'Simulate' }));
    await waitFor(() =>
      expect(api.simulate).toHaveBeenCalledWith({ from: 'cell-2/svc-21', to: 'cell-499/svc-4999', method: 'GET', path: '/', environment: 'dev' }),
    );
  });

  it('shows the source and target of a preset it runs', async () => {
    await renderInTestApp(<Simulator topology={testTopology()} environment="dev" onResult={jest.fn()} />, { apis: [[cellsApiRef, mockCellsApi()]] });
    fireEvent.click(await screen.findByText('Rogue pod in orion -> houston/flight-director'));
    await waitFor(() => expect(screen.getByLabelText('Source')).toHaveValue('rogue pod in orion'));
    expect(screen.getByLabelText('Target')).toHaveValue('houston/flight-director');
    await screen.findByTestId('simulation-verdict');
  });
});

describe('Simulator front door', () => {
  const claims = '{"iss": "https://idp.artemis.example", "sub": "fd", "aud": ["flight-ops"], "scope": "mission.control"}';

  async function fromTheGateway(api: ReturnType<typeof mockCellsApi>) {
    await renderInTestApp(<Simulator topology={testTopology()} environment="dev" onResult={jest.fn()} />, { apis: [[cellsApiRef, api]] });
    // Only a request from the gateway carries a token: no token field for a rogue pod.
    expect(screen.queryByLabelText('Token')).toBeNull();
    fireEvent.mouseDown(screen.getByLabelText('Source'));
    fireEvent.click(await screen.findByRole('option', { name: 'external gateway' }));
    fireEvent.mouseDown(screen.getByLabelText('Target'));
    fireEvent.click(await screen.findByRole('option', { name: 'houston/flight-director' }));
    fireEvent.change(screen.getByLabelText('Path'), { target: { value: '/decision/abort' } });
  }

  it('sends the token typed for a request from the gateway, and lists the edge-authentication layer first', async () => {
    const api = mockCellsApi();
    api.simulate.mockImplementation(async () => ({
      allowed: true,
      decidedBy: null,
      layers: [{ layer: 'L7' as const, verdict: 'allow' as const, policies: ['houston/flight-director'], reason: 'the gateway is admitted' }],
      explanation: 'allowed',
      hops: [],
      edge: {
        verdict: 'allow' as const,
        reason: 'authenticated' as const,
        message: 'a token of artemis-idp for https://idp.artemis.example/fd with every required audience and claim',
        rateLimit: { requests: 20, per: 'minute' as const, by: { kind: 'claim' as const, name: 'sub' } },
      },
    }));
    await fromTheGateway(api);
    fireEvent.change(screen.getByLabelText('Token'), { target: { value: `  ${claims}\n` } });
    fireEvent.click(screen.getByRole('button', { name: 'Simulate' }));
    await waitFor(() =>
      expect(api.simulate).toHaveBeenCalledWith({
        from: { gateway: true },
        to: 'houston/flight-director',
        method: 'GET',
        path: '/decision/abort',
        token: claims,
        environment: 'dev',
      }),
    );
    expect(await screen.findByTestId('simulation-verdict')).toHaveTextContent('Allowed');
    expect(screen.getByTestId('simulation-request')).toHaveTextContent('GET /decision/abort from the external gateway to houston/flight-director with a token');
    const rows = within(screen.getByLabelText('verdict per layer'))
      .getAllByRole('row')
      .map(r => r.textContent);
    expect(rows).toEqual([
      'LayerVerdictReason',
      'edge-authallowauthenticated: a token of artemis-idp for https://idp.artemis.example/fd with every required audience and claim' +
        ' (rate limit 20 per minute per claim sub: reported, not simulated)',
      'L7allowthe gateway is admitted [houston/flight-director]',
    ]);
  });

  it('sends no token when the field is empty, and shows the denial at the front door in its row', async () => {
    const api = mockCellsApi();
    api.simulate.mockImplementation(async () => ({
      allowed: false,
      decidedBy: 'edge-auth' as const,
      layers: [],
      explanation: 'denied at edge-auth',
      hops: [],
      edge: { verdict: 'deny' as const, reason: 'no-token' as const, message: 'no token; the endpoint requires one from artemis-idp' },
    }));
    await fromTheGateway(api);
    fireEvent.click(screen.getByRole('button', { name: 'Simulate' }));
    await waitFor(() =>
      expect(api.simulate).toHaveBeenCalledWith({
        from: { gateway: true },
        to: 'houston/flight-director',
        method: 'GET',
        path: '/decision/abort',
        environment: 'dev',
      }),
    );
    expect(await screen.findByTestId('simulation-verdict')).toHaveTextContent('Denied at edge-auth');
    expect(within(screen.getByLabelText('verdict per layer')).getAllByRole('row')[1]).toHaveTextContent(
      'edge-authdenyno-token: no token; the endpoint requires one from artemis-idp',
    );
  });
});

describe('Simulator exfiltration presets', () => {
  it('runs a preset outside the cluster and names its destination; the form keeps its component target', async () => {
    const api = mockCellsApi();
    const body = { environment: 'dev', from: 'houston/capcom', toIp: '169.254.169.254', port: 80 };
    api.listAttacks.mockImplementation(async () => ({
      environment: 'dev',
      truncated: false,
      items: [{ id: 'exfiltrate:houston/capcom:metadata', title: 'houston/capcom: to the metadata address 169.254.169.254:80', body }],
    }));
    api.simulate.mockImplementation(async () => ({
      allowed: false,
      decidedBy: 'L3/L4' as const,
      layers: [{ layer: 'L3/L4' as const, verdict: 'deny' as const, policies: ['houston/capcom'], reason: 'no egress rule admits 169.254.169.254:80' }],
      explanation: 'denied at L3/L4 (leaving the cluster (a direct connection to an address))',
      hops: [],
    }));
    await renderInTestApp(<Simulator topology={testTopology()} environment="dev" onResult={jest.fn()} />, { apis: [[cellsApiRef, api]] });
    const target = screen.getByLabelText('Target');
    const before = (target as HTMLInputElement).value;
    fireEvent.click(await screen.findByText('houston/capcom: to the metadata address 169.254.169.254:80'));
    expect(await screen.findByTestId('simulation-verdict')).toHaveTextContent('Denied at L3/L4');
    expect(screen.getByTestId('simulation-request')).toHaveTextContent('TCP from houston/capcom to 169.254.169.254:80 outside the cluster');
    expect(api.simulate).toHaveBeenCalledWith(body);
    expect(screen.getByLabelText('Target')).toHaveValue(before);
  });
});
