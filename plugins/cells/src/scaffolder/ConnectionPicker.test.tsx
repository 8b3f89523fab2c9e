import { fireEvent, screen, waitFor } from '@testing-library/react';
import { renderInTestApp } from '@backstage/frontend-test-utils';
import { catalogApiRef } from '@backstage/plugin-catalog-react';
import { catalogApiMock } from '@backstage/plugin-catalog-react/testUtils';
import { ConnectionPicker, declaredCalls, validateConnectionChoice } from './ConnectionPicker';
import { fieldProps } from './testFields';

const schema = { type: 'object', title: 'Call to remove' };
const launch = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'launch-control', namespace: 'moon' },
  spec: {
    system: 'kennedy',
    connections: [
      { to: 'flight-director', endpoint: 'http', methods: ['POST'], paths: ['/decision/go-nogo'] },
      { to: 'component:default/pad-operations' },
      { endpoint: 'http' },
    ],
  },
};

describe('ConnectionPicker', () => {
  it("lists the caller's calls with targets as full refs, in the caller's namespace unless named; an item without a target is not offered", () => {
    expect(declaredCalls(launch.spec, 'moon')).toEqual([
      { index: 0, to: 'component:moon/flight-director', endpoint: 'http', text: 'moon/flight-director · http: POST on /decision/go-nogo' },
      { index: 1, to: 'component:default/pad-operations', text: 'default/pad-operations: every method on every path' },
    ]);
  });

  it('sets the index, the target and the endpoint of the call picked', async () => {
    const onChange = jest.fn();
    renderInTestApp(
      <ConnectionPicker {...fieldProps({ name: 'call', schema, onChange, formContext: { formData: { from: 'component:moon/launch-control' } } })} />,
      { apis: [[catalogApiRef, catalogApiMock({ entities: [launch] })]] },
    );
    const input = screen.getByRole('textbox', { name: 'Call to remove' });
    fireEvent.mouseDown(input);
    fireEvent.keyDown(input, { key: 'ArrowDown' });
    const options = await screen.findAllByRole('option');
    expect(options.map(o => o.textContent)).toEqual([
      'moon/flight-director · http: POST on /decision/go-nogo',
      'default/pad-operations: every method on every path',
    ]);
    fireEvent.click(options[0]);
    expect(onChange).toHaveBeenLastCalledWith({
      index: 0,
      to: 'component:moon/flight-director',
      endpoint: 'http',
      text: 'moon/flight-director · http: POST on /decision/go-nogo',
    });
  });

  it('picks the item a link from the cells page names by target and endpoint, and asks when several match', async () => {
    const onChange = jest.fn();
    renderInTestApp(
      <ConnectionPicker
        {...fieldProps({
          name: 'call',
          schema,
          onChange,
          formData: { to: 'component:default/pad-operations' },
          formContext: { formData: { from: 'component:moon/launch-control' } },
        })}
      />,
      { apis: [[catalogApiRef, catalogApiMock({ entities: [launch] })]] },
    );
    await waitFor(() =>
      expect(onChange).toHaveBeenLastCalledWith({
        index: 1,
        to: 'component:default/pad-operations',
        text: 'default/pad-operations: every method on every path',
      }),
    );
    const twice = {
      ...launch,
      spec: { ...launch.spec, connections: [...launch.spec.connections, { to: 'component:default/pad-operations', methods: ['GET'] }] },
    };
    const quiet = jest.fn();
    renderInTestApp(
      <ConnectionPicker
        {...fieldProps({
          name: 'call',
          schema,
          onChange: quiet,
          formData: { to: 'component:default/pad-operations' },
          formContext: { formData: { from: 'component:moon/launch-control' } },
        })}
      />,
      { apis: [[catalogApiRef, catalogApiMock({ entities: [twice] })]] },
    );
    expect(await screen.findByText('The caller declares 2 calls to component:default/pad-operations; pick one.')).toBeInTheDocument();
    expect(quiet).not.toHaveBeenCalled();
  });

  it('says when the caller declares no calls, or is not picked yet', async () => {
    const quiet = { ...launch, metadata: { name: 'quiet' }, spec: { system: 'kennedy' } };
    renderInTestApp(<ConnectionPicker {...fieldProps({ name: 'call', schema, formContext: { formData: { from: 'quiet' } } })} />, {
      apis: [[catalogApiRef, catalogApiMock({ entities: [quiet] })]],
    });
    expect(await screen.findByText('component:default/quiet declares no connections.')).toBeInTheDocument();
    expect(screen.getByRole('textbox', { name: 'Call to remove' })).toBeDisabled();
  });

  it('needs an index and a target', () => {
    const errors: string[] = [];
    validateConnectionChoice({ to: 'component:default/x' }, { addError: e => errors.push(e) });
    validateConnectionChoice({ index: 0, to: 'component:default/x' }, { addError: e => errors.push(e) });
    validateConnectionChoice(undefined, { addError: e => errors.push(e) });
    expect(errors).toEqual(['pick one of the calls the caller declares']);
  });
});
