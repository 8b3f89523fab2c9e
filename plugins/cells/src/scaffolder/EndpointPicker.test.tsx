import { fireEvent, screen, waitFor } from '@testing-library/react';
import { renderInTestApp } from '@backstage/frontend-test-utils';
import { cellsApiRef } from '../api/CellsApi';
import { mockCellsApi } from '../components/testApi';
import { EndpointPicker, validateEndpointChoice } from './EndpointPicker';
import { fieldProps, pickerTopology } from './testFields';

const schema = { type: 'object', title: 'Target endpoint' };

describe('EndpointPicker', () => {
  it("offers only the endpoints the caller's cell may reach, and sets component and endpoint", async () => {
    const api = mockCellsApi({ getTopology: jest.fn(async () => pickerTopology()) });
    const onChange = jest.fn();
    renderInTestApp(<EndpointPicker {...fieldProps({ name: 'target', schema, onChange, formContext: { formData: { from: 'component:default/capcom' } } })} />, {
      apis: [[cellsApiRef, api]],
    });
    expect(await screen.findByText(/2 endpoints of other cells are visible only inside their own cell and not offered/)).toBeInTheDocument();
    const input = screen.getByRole('textbox', { name: 'Target endpoint' });
    fireEvent.mouseDown(input);
    fireEvent.keyDown(input, { key: 'ArrowDown' });
    const options = await screen.findAllByRole('option');
    expect(options.map(o => o.textContent)).toEqual([
      'Flight Director · admin HTTP 9090, project · component:default/flight-director',
      'Flight Director · http HTTP 8080, public · component:default/flight-director',
      'Comms System · http HTTP 8080, organization · component:default/comms-system',
      'Life Support · telemetry HTTP 9100, organization · component:default/life-support',
    ]);
    // Project-only endpoints of another cell are not offered, nor is the caller itself.
    expect(screen.queryByRole('option', { name: /Guidance/ })).toBeNull();
    expect(screen.queryByRole('option', { name: /CAPCOM/ })).toBeNull();
    fireEvent.click(screen.getByRole('option', { name: /Comms System · http/ }));
    expect(onChange).toHaveBeenLastCalledWith({ component: 'component:default/comms-system', endpoint: 'http' });
  });

  it('asks for a caller first', async () => {
    const api = mockCellsApi({ getTopology: jest.fn(async () => pickerTopology()) });
    renderInTestApp(<EndpointPicker {...fieldProps({ name: 'target', schema, formContext: { formData: {} } })} />, { apis: [[cellsApiRef, api]] });
    expect(await screen.findByText(/Pick the caller first/)).toBeInTheDocument();
    expect(screen.getByRole('textbox', { name: 'Target endpoint' })).toBeDisabled();
  });

  it('follows the caller parameter named in ui:options', async () => {
    const api = mockCellsApi({ getTopology: jest.fn(async () => pickerTopology()) });
    renderInTestApp(
      <EndpointPicker
        {...fieldProps({ name: 'target', schema, uiSchema: { 'ui:options': { caller: 'caller' } }, formContext: { formData: { caller: 'guidance-nav' } } })}
      />,
      { apis: [[cellsApiRef, api]] },
    );
    const input = screen.getByRole('textbox', { name: 'Target endpoint' });
    await waitFor(() => expect(input).toBeEnabled());
    fireEvent.mouseDown(input);
    fireEvent.keyDown(input, { key: 'ArrowDown' });
    // From orion: its own project endpoints, and houston's public one only.
    const options = (await screen.findAllByRole('option')).map(o => o.textContent);
    expect(options).toContain('Life Support · http HTTP 8080, project · component:default/life-support');
    expect(options).toContain('Flight Director · http HTTP 8080, public · component:default/flight-director');
    expect(options.some(o => o?.includes('CAPCOM') || o?.includes('admin'))).toBe(false);
  });

  it('needs an endpoint once a component is chosen', () => {
    const errors: string[] = [];
    validateEndpointChoice({ component: 'component:default/comms-system' }, { addError: e => errors.push(e) });
    validateEndpointChoice({ component: 'component:default/comms-system', endpoint: 'http' }, { addError: e => errors.push(e) });
    validateEndpointChoice(undefined, { addError: e => errors.push(e) });
    expect(errors).toEqual(['pick an endpoint of component:default/comms-system']);
  });
});
