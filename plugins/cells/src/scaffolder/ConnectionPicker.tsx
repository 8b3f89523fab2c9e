import { useEffect } from 'react';
import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import Autocomplete from '@material-ui/lab/Autocomplete';
import { useApi } from '@backstage/frontend-plugin-api';
import { catalogApiRef } from '@backstage/plugin-catalog-react';
import type { FieldExtensionComponentProps } from '@backstage/plugin-scaffolder-react';
import { ScaffolderField } from '@backstage/plugin-scaffolder-react/alpha';
import { messageOf, wholeFormData } from './common';
import { useAsync } from '../components/useAsync';
import { normalizeRef } from './reachable';
import { pickerInput } from './pickerInput';

/** `ui:field: CellsConnectionPicker`. */
export const CONNECTION_PICKER = 'CellsConnectionPicker';

/** The value: which of the caller's `spec.connections` (its index), the target's ref, its endpoint, and the call in words. */
export interface ConnectionChoice {
  index?: number;
  to?: string;
  endpoint?: string;
  text?: string;
}

export interface ConnectionPickerUiOptions {
  /** The form parameter that holds the calling component's ref; default `from`. */
  caller?: string;
}

/** One declared connection as the picker offers it. */
export interface DeclaredCall {
  index: number;
  to: string;
  endpoint?: string;
  text: string;
}

function targetRef(to: unknown, callerNamespace: string): string | undefined {
  if (typeof to !== 'string' || to === '') return undefined;
  try {
    return stringifyEntityRef(parseEntityRef(to, { defaultKind: 'component', defaultNamespace: callerNamespace }));
  } catch {
    return undefined;
  }
}

/** The caller's declared connections, each with its target as a full ref (the file names it relative to the caller's namespace). */
export function declaredCalls(spec: Record<string, unknown> | undefined, callerNamespace: string): DeclaredCall[] {
  const connections = Array.isArray(spec?.connections) ? (spec!.connections as Record<string, unknown>[]) : [];
  return connections.flatMap((c, index) => {
    const to = targetRef(c?.to, callerNamespace);
    if (!to) return [];
    const endpoint = typeof c.endpoint === 'string' ? c.endpoint : undefined;
    const list = (v: unknown) => (Array.isArray(v) && v.length ? v.join(', ') : undefined);
    const access = [list(c.methods) ?? 'every method', list(c.paths) ?? 'every path'].join(' on ');
    return [{ index, to, endpoint, text: `${to.replace(/^component:/, '')}${endpoint ? ` · ${endpoint}` : ''}: ${access}` }];
  });
}

/** Picks one of the connections the caller declares (read from the catalog). */
export function ConnectionPicker(props: FieldExtensionComponentProps<ConnectionChoice, ConnectionPickerUiOptions>) {
  const { formData, onChange, schema, uiSchema, idSchema, rawErrors = [], required, disabled, readonly } = props;
  const catalogApi = useApi(catalogApiRef);
  const caller = normalizeRef(wholeFormData(props)[uiSchema['ui:options']?.caller ?? 'from'], 'component');
  const entity = useAsync(async () => (caller ? catalogApi.getEntityByRef(caller) : undefined), [catalogApi, caller]);
  const options = entity.value ? declaredCalls(entity.value.spec as Record<string, unknown>, entity.value.metadata.namespace ?? 'default') : [];
  const selected = options.find(o => o.index === formData?.index && o.to === formData?.to) ?? null;
  // A link from the cells page names the call by target (and endpoint), not by item: pick it when exactly one item matches.
  const prefilled =
    formData?.index === undefined && formData?.to ? options.filter(o => o.to === formData.to && (!formData.endpoint || o.endpoint === formData.endpoint)) : [];
  const only = prefilled.length === 1 ? prefilled[0] : undefined;
  useEffect(() => {
    if (only) onChange({ index: only.index, to: only.to, ...(only.endpoint ? { endpoint: only.endpoint } : {}), text: only.text });
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [only?.index, only?.to]);

  let help: string | undefined;
  if (entity.error) help = `Could not load the caller: ${messageOf(entity.error)}`;
  else if (!caller) help = 'Pick the caller first.';
  else if (!entity.loading && !entity.value) help = `${caller} is not in the catalog.`;
  else if (!entity.loading && options.length === 0) help = `${caller} declares no connections.`;
  else if (prefilled.length > 1) help = `The caller declares ${prefilled.length} calls to ${formData!.to}; pick one.`;
  else if (formData?.to && !selected && !entity.loading && !only)
    help = `The caller no longer declares this call (${formData.text ?? formData.to}); pick another.`;

  return (
    <ScaffolderField rawErrors={rawErrors} rawDescription={uiSchema['ui:description'] ?? schema.description} required={required} disabled={disabled}>
      <Autocomplete
        id={idSchema?.$id}
        options={options}
        value={selected}
        loading={entity.loading}
        disabled={disabled || readonly || options.length === 0}
        getOptionLabel={o => o.text}
        getOptionSelected={(o, v) => o.index === v.index}
        onChange={(_event, value) =>
          onChange(value ? { index: value.index, to: value.to, ...(value.endpoint ? { endpoint: value.endpoint } : {}), text: value.text } : undefined)
        }
        renderInput={pickerInput({ label: schema.title ?? 'Call to remove', required, error: rawErrors.length > 0 || !!entity.error, helperText: help })}
      />
    </ScaffolderField>
  );
}

/** A call is its index and its target: the remove action takes both. */
export function validateConnectionChoice(value: ConnectionChoice | undefined, validation: { addError(message: string): void }) {
  if (value && typeof value === 'object' && (typeof value.index !== 'number' || !value.to)) validation.addError('pick one of the calls the caller declares');
}
