import { useMemo } from 'react';
import Typography from '@material-ui/core/Typography';
import Autocomplete from '@material-ui/lab/Autocomplete';
import { useApi } from '@backstage/frontend-plugin-api';
import type { FieldExtensionComponentProps } from '@backstage/plugin-scaffolder-react';
import { ScaffolderField } from '@backstage/plugin-scaffolder-react/alpha';
import { cellsApiRef } from '../api/CellsApi';
import { messageOf, wholeFormData } from './common';
import { useAsync } from '../components/useAsync';
import { EndpointOption, normalizeRef, reachableEndpoints } from './reachable';
import { pickerInput } from './pickerInput';

/** `ui:field: CellsEndpointPicker`. */
export const ENDPOINT_PICKER = 'CellsEndpointPicker';

/** The value: the component called and its endpoint. */
export interface EndpointChoice {
  component?: string;
  endpoint?: string;
}

export interface EndpointPickerUiOptions {
  /** The form parameter that holds the calling component's ref; default `from`. */
  caller?: string;
}

const label = (o: EndpointOption) => `${o.componentTitle} · ${o.endpoint.name} (${o.endpoint.protocol} ${o.endpoint.port}, ${o.endpoint.visibility})`;

/**
 * Picks a component and one of its endpoints, offering only the endpoints the
 * caller's cell may reach: its own cell's, and other cells' organization or
 * public ones.
 */
export function EndpointPicker(props: FieldExtensionComponentProps<EndpointChoice, EndpointPickerUiOptions>) {
  const { formData, onChange, schema, uiSchema, idSchema, rawErrors = [], required, disabled, readonly } = props;
  const api = useApi(cellsApiRef);
  const callerField = uiSchema['ui:options']?.caller ?? 'from';
  const caller = normalizeRef(wholeFormData(props)[callerField], 'component');
  const topology = useAsync(() => api.getTopology(), [api]);
  const reachable = useMemo(() => (topology.value ? reachableEndpoints(topology.value, caller) : undefined), [topology.value, caller]);
  const options = reachable?.options ?? [];
  const selected = options.find(o => o.component === formData?.component && o.endpoint.name === formData?.endpoint) ?? null;

  let help: string | undefined;
  if (topology.error) help = `Could not load the cells: ${messageOf(topology.error)}`;
  else if (!caller) help = 'Pick the caller first: only the endpoints its cell may reach are offered.';
  else if (reachable && !reachable.callerCell) help = `${caller} is not a component of any cell; pick a caller in a cell.`;
  else if (formData?.component && !selected && !topology.loading)
    help = `${formData.component} ${formData.endpoint ?? ''} is not reachable from the caller's cell; pick another endpoint.`;
  else if (reachable?.hidden)
    help = `${reachable.hidden} endpoint${reachable.hidden === 1 ? '' : 's'} of other cells ${reachable.hidden === 1 ? 'is' : 'are'} visible only inside ${
      reachable.hidden === 1 ? 'its' : 'their'
    } own cell and not offered.`;

  return (
    <ScaffolderField rawErrors={rawErrors} rawDescription={uiSchema['ui:description'] ?? schema.description} required={required} disabled={disabled}>
      <Autocomplete
        id={idSchema?.$id}
        options={options}
        value={selected}
        loading={topology.loading}
        disabled={disabled || readonly || !reachable?.callerCell}
        groupBy={o => o.cellTitle}
        getOptionLabel={label}
        getOptionSelected={(o, v) => o.component === v.component && o.endpoint.name === v.endpoint.name}
        onChange={(_event, value) => onChange(value ? { component: value.component, endpoint: value.endpoint.name } : undefined)}
        renderOption={o => (
          <span>
            {o.componentTitle} · {o.endpoint.name}
            <Typography variant="caption" color="textSecondary" component="span">
              {' '}
              {o.endpoint.protocol} {o.endpoint.port}, {o.endpoint.visibility} · {o.component}
            </Typography>
          </span>
        )}
        renderInput={pickerInput({ label: schema.title ?? 'Target endpoint', required, error: rawErrors.length > 0 || !!topology.error, helperText: help })}
      />
    </ScaffolderField>
  );
}

/** A chosen component needs its endpoint: the connection action takes both. */
export function validateEndpointChoice(value: EndpointChoice | undefined, validation: { addError(message: string): void }) {
  if (value && typeof value === 'object' && value.component && !value.endpoint) validation.addError(`pick an endpoint of ${value.component}`);
}
