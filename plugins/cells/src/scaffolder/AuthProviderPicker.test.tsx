import { fireEvent, screen, within } from '@testing-library/react';
import { mockApis, renderInTestApp } from '@backstage/frontend-test-utils';
import { AuthProviderPicker, configuredProviders } from './AuthProviderPicker';
import { fieldProps } from './testFields';

const settings = (providers: string[]) => ({ cells: { gateway: { jwtProviders: providers.map(name => ({ name })) } } });
const config = (providers: string[]) => mockApis.config({ data: settings(providers) });

describe('AuthProviderPicker', () => {
  it('reads the names of cells.gateway.jwtProviders, sorted; none when there are none', () => {
    expect(configuredProviders(config(['zeta-idp', 'artemis-idp']))).toEqual(['artemis-idp', 'zeta-idp']);
    expect(configuredProviders(mockApis.config())).toEqual([]);
  });

  it('offers each configured provider and none, and sets the name picked', async () => {
    const onChange = jest.fn();
    // The app's own config, as the portal gives the browser the providers' names.
    await renderInTestApp(<AuthProviderPicker {...fieldProps({ name: 'auth', onChange, schema: { type: 'string', title: 'Authentication' } })} />, {
      config: settings(['artemis-idp']),
    });
    fireEvent.mouseDown(screen.getByRole('button', { name: /Authentication/ }));
    const options = within(screen.getByRole('listbox')).getAllByRole('option');
    expect(options.map(o => o.textContent)).toEqual(['token from artemis-idp', 'none: open to anyone']);
    fireEvent.click(options[0]);
    expect(onChange).toHaveBeenLastCalledWith('artemis-idp');
  });

  it('says when no provider is configured, and keeps a value the settings no longer define visible', async () => {
    await renderInTestApp(<AuthProviderPicker {...fieldProps({ name: 'auth', formData: 'gone-idp', schema: { type: 'string', title: 'Authentication' } })} />, {
      config: settings([]),
    });
    expect(screen.getByText(/No token provider is configured/)).toBeInTheDocument();
    expect(screen.getByRole('button', { name: /Authentication/ })).toHaveTextContent('gone-idp (not configured)');
  });
});
