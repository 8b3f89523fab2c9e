import MenuItem from '@material-ui/core/MenuItem';
import TextField from '@material-ui/core/TextField';
import { configApiRef, useApi } from '@backstage/frontend-plugin-api';
import type { FieldExtensionComponentProps } from '@backstage/plugin-scaffolder-react';
import { ScaffolderField } from '@backstage/plugin-scaffolder-react/alpha';

/** `ui:field: CellsAuthProviderPicker`. The value is a provider's name of cells.gateway.jwtProviders, or `none`. */
export const AUTH_PROVIDER_PICKER = 'CellsAuthProviderPicker';

/**
 * The providers a public endpoint may require a token of: the names of
 * cells.gateway.jwtProviders (the only part of the gateway settings the
 * frontend is given, see config.d.ts), sorted.
 */
export function configuredProviders(config: { getOptionalConfigArray(key: string): { getString(key: string): string }[] | undefined }): string[] {
  return (config.getOptionalConfigArray('cells.gateway.jwtProviders') ?? []).map(p => p.getString('name')).sort();
}

/**
 * Picks who may call a public endpoint through the gateway: a configured
 * token provider, or `none` (open on purpose). A value the settings no longer
 * define stays visible, marked, so the action's refusal is not a surprise.
 */
export function AuthProviderPicker(props: FieldExtensionComponentProps<string>) {
  const { formData, onChange, schema, uiSchema, idSchema, rawErrors = [], required, disabled, readonly } = props;
  const providers = configuredProviders(useApi(configApiRef));
  const unknown = formData && formData !== 'none' && !providers.includes(formData) ? formData : undefined;
  return (
    <ScaffolderField rawErrors={rawErrors} rawDescription={uiSchema['ui:description'] ?? schema.description} required={required} disabled={disabled}>
      <TextField
        select
        id={idSchema?.$id}
        margin="dense"
        variant="outlined"
        label={schema.title ?? 'Authentication'}
        required={required}
        disabled={disabled || readonly}
        error={rawErrors.length > 0}
        value={formData ?? ''}
        onChange={e => onChange((e.target.value as string) || undefined)}
        helperText={providers.length === 0 ? 'No token provider is configured (cells.gateway.jwtProviders): only none can be picked.' : undefined}
      >
        {providers.map(name => (
          <MenuItem key={name} value={name}>
            token from {name}
          </MenuItem>
        ))}
        {unknown && <MenuItem value={unknown}>{unknown} (not configured)</MenuItem>}
        <MenuItem value="none">none: open to anyone</MenuItem>
      </TextField>
    </ScaffolderField>
  );
}
