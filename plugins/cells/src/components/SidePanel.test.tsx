import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { renderInTestApp } from '@backstage/frontend-test-utils';
import { cellsApiRef } from '../api/CellsApi';
import { testTopology, withPlatform } from '../lib/testTopology';
import { componentDocuments, SidePanel } from './SidePanel';
import { mockCellsApi } from './testApi';

describe('SidePanel', () => {
  it("shows a component's endpoints, callers, callees, own objects, drift and history", async () => {
    const api = mockCellsApi();
    const onBlastRadius = jest.fn();
    await renderInTestApp(
      <SidePanel topology={testTopology()} selected="component:default/capcom" onBlastRadius={onBlastRadius} onToggleCollapse={jest.fn()} collapsed={false} />,
      { apis: [[cellsApiRef, api]] },
    );
    expect(screen.getByLabelText('endpoints')).toHaveTextContent('api: 8080/HTTP, organization');
    expect(screen.getByLabelText('callers')).toHaveTextContent('nobody');
    const callees = within(screen.getByLabelText('callees'))
      .getAllByRole('listitem')
      .map(li => li.textContent);
    expect(callees).toEqual([
      'component:default/comms-system on api: POST /uplink (connection, cross-cell)',
      'component:default/flight-director on api: any method any path (connection)',
    ]);
    const yaml = await screen.findByLabelText('objects in dev as YAML');
    expect(yaml).toHaveTextContent('name: capcom');
    expect(yaml).not.toHaveTextContent('flight-director');
    expect(api.getManifestsYaml).toHaveBeenCalledWith('system:default/houston', 'dev');
    expect(await screen.findByLabelText('drift')).toHaveTextContent('NetworkPolicy houston/capcom-ingress is drifted');
    expect(screen.getByLabelText('drift')).toHaveTextContent('spec.ingress[0].from: houston -> everyone');
    expect(await screen.findByLabelText('policy history')).toHaveTextContent('houston/capcom may now POST /uplink on orion/comms-system');
    fireEvent.click(screen.getByText('If this is compromised'));
    expect(onBlastRadius).toHaveBeenCalledWith('component:default/capcom');
  });

  it("lists a component's reach outside the cluster, and who reaches a selected host", async () => {
    const { unmount } = await renderInTestApp(
      <SidePanel topology={testTopology()} selected="component:default/capcom" onBlastRadius={jest.fn()} onToggleCollapse={jest.fn()} collapsed={false} />,
      { apis: [[cellsApiRef, mockCellsApi()]] },
    );
    const egress = within(screen.getByLabelText('egress'))
      .getAllByRole('listitem')
      .map(li => li.textContent);
    expect(egress).toEqual(['10.20.8.0/24:5432 TCP (except 10.20.8.0/28)', 'api.weather.gov:443 TLS']);
    unmount();
    await renderInTestApp(
      <SidePanel topology={testTopology()} selected="external:api.weather.gov" onBlastRadius={jest.fn()} onToggleCollapse={jest.fn()} collapsed={false} />,
      { apis: [[cellsApiRef, mockCellsApi()]] },
    );
    expect(screen.getByText('External host api.weather.gov')).toBeInTheDocument();
    expect(screen.getByLabelText('reached by')).toHaveTextContent('component:default/capcom: port 443 TLS');
  });

  it('lists the platform services a component calls, who scrapes it, and what a scraper scrapes', async () => {
    const topology = withPlatform(testTopology());
    const { unmount } = await renderInTestApp(
      <SidePanel topology={topology} selected="component:default/capcom" onBlastRadius={jest.fn()} onToggleCollapse={jest.fn()} collapsed={false} />,
      { apis: [[cellsApiRef, mockCellsApi()]] },
    );
    expect(screen.getByLabelText('egress')).toHaveTextContent('platform service otel-collector:4317 TCP');
    expect(screen.queryByLabelText('scraped by')).toBeNull();
    unmount();
    const scraped = await renderInTestApp(
      <SidePanel topology={topology} selected="component:default/comms-system" onBlastRadius={jest.fn()} onToggleCollapse={jest.fn()} collapsed={false} />,
      { apis: [[cellsApiRef, mockCellsApi()]] },
    );
    expect(screen.getByLabelText('scraped by')).toHaveTextContent('platform:monitoring GET /metrics on port 9464');
    scraped.unmount();
    await renderInTestApp(
      <SidePanel topology={topology} selected="platform:monitoring" onBlastRadius={jest.fn()} onToggleCollapse={jest.fn()} collapsed={false} />,
      { apis: [[cellsApiRef, mockCellsApi()]] },
    );
    expect(screen.getByText('Platform service monitoring')).toBeInTheDocument();
    expect(screen.getByLabelText('reached by')).toHaveTextContent('scrapes component:default/comms-system: GET /metrics on port 9464');
  });

  it('says a component without egress reaches nothing outside', async () => {
    await renderInTestApp(
      <SidePanel
        topology={testTopology()}
        selected="component:default/comms-system"
        onBlastRadius={jest.fn()}
        onToggleCollapse={jest.fn()}
        collapsed={false}
      />,
      { apis: [[cellsApiRef, mockCellsApi()]] },
    );
    expect(screen.getByLabelText('egress')).toHaveTextContent('nothing');
  });

  it("lists flight-director's callers with what they may call", async () => {
    await renderInTestApp(
      <SidePanel
        topology={testTopology()}
        selected="component:default/flight-director"
        onBlastRadius={jest.fn()}
        onToggleCollapse={jest.fn()}
        collapsed={false}
      />,
      { apis: [[cellsApiRef, mockCellsApi()]] },
    );
    const callers = within(screen.getByLabelText('callers'))
      .getAllByRole('listitem')
      .map(li => li.textContent);
    expect(callers).toEqual(['component:default/capcom on api: any method any path (connection)', 'the external gateway on api: GET /status (public)']);
  });

  it("shows flight-director's front door: its public endpoint's authentication, rate limit and operations", async () => {
    const { unmount } = await renderInTestApp(
      <SidePanel
        topology={testTopology()}
        selected="component:default/flight-director"
        onBlastRadius={jest.fn()}
        onToggleCollapse={jest.fn()}
        collapsed={false}
      />,
      { apis: [[cellsApiRef, mockCellsApi()]] },
    );
    const door = screen.getByLabelText('front door of component:default/flight-director:api');
    expect(door).toHaveTextContent('Authentication: token from artemis-idp (audience flight-ops; scope: mission.control)');
    expect(door).toHaveTextContent('Rate limit: 20 per minute per claim sub');
    expect(door).toHaveTextContent('Operations: GET /status, POST /decision/abort');
    unmount();
    // A component without a public endpoint has no front door.
    const capcom = await renderInTestApp(
      <SidePanel topology={testTopology()} selected="component:default/capcom" onBlastRadius={jest.fn()} onToggleCollapse={jest.fn()} collapsed={false} />,
      { apis: [[cellsApiRef, mockCellsApi()]] },
    );
    expect(screen.queryByLabelText('front door')).toBeNull();
    capcom.unmount();
    // The gateway lists the front door of every public endpoint it routes to.
    await renderInTestApp(<SidePanel topology={testTopology()} selected="gateway" onBlastRadius={jest.fn()} onToggleCollapse={jest.fn()} collapsed={false} />, {
      apis: [[cellsApiRef, mockCellsApi()]],
    });
    const doors = within(screen.getByLabelText('front door')).getAllByRole('listitem');
    expect(doors).toHaveLength(1);
    expect(doors[0]).toHaveTextContent('Flight Director · api (port 8080)Authentication: token from artemis-idp');
  });

  it('offers a rogue pod blast radius and collapse on a cell', async () => {
    const onBlastRadius = jest.fn();
    const onToggleCollapse = jest.fn();
    await renderInTestApp(
      <SidePanel
        topology={testTopology()}
        selected="system:default/orion"
        onBlastRadius={onBlastRadius}
        onToggleCollapse={onToggleCollapse}
        collapsed={false}
      />,
      { apis: [[cellsApiRef, mockCellsApi()]] },
    );
    expect(screen.getByLabelText('cell state')).toHaveTextContent('State: drifted (1 object drifted)');
    fireEvent.click(screen.getByText('Rogue pod in this cell'));
    expect(onBlastRadius).toHaveBeenCalledWith({ rogue: 'system:default/orion' });
    fireEvent.click(screen.getByText('Collapse'));
    expect(onToggleCollapse).toHaveBeenCalledWith('system:default/orion');
    await waitFor(() => expect(screen.getByLabelText('policy history')).toBeInTheDocument());
  });
});

describe('componentDocuments', () => {
  it('keeps only the documents named after the component', () => {
    const yaml = 'kind: A\nmetadata:\n  name: capcom\n---\nkind: B\nmetadata:\n  name: capcom-2\n---\nkind: C\nmetadata:\n  name: "capcom"\n';
    expect(componentDocuments(yaml, 'capcom')).toBe('kind: A\nmetadata:\n  name: capcom\n---\nkind: C\nmetadata:\n  name: "capcom"');
  });
});
