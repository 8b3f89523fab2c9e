import { useMemo } from 'react';
import Typography from '@material-ui/core/Typography';
import Autocomplete from '@material-ui/lab/Autocomplete';
import { useApi } from '@backstage/frontend-plugin-api';
import type { FieldExtensionComponentProps } from '@backstage/plugin-scaffolder-react';
import { ScaffolderField } from '@backstage/plugin-scaffolder-react/alpha';
import type { CellSummary } from '../api/types';
import { cellsApiRef } from '../api/CellsApi';
import { messageOf } from './common';
import { useAsync } from '../components/useAsync';
import { normalizeRef } from './reachable';
import { sortNatural } from '../lib/naturalOrder';
import { pickerInput } from './pickerInput';

/** `ui:field: CellsCellPicker`. The value is the cell's System ref, e.g. `system:default/houston`. */
export const CELL_PICKER = 'CellsCellPicker';

const label = (cell: CellSummary) => `${cell.title} · ${cell.entityRef}`;

/** Picks a cell among those the cells backend serves (Systems with spec.cell that passed validation). */
export function CellPicker(props: FieldExtensionComponentProps<string>) {
  const { formData, onChange, schema, uiSchema, idSchema, rawErrors = [], required, disabled, readonly } = props;
  const api = useApi(cellsApiRef);
  const cells = useAsync(() => api.listCells(), [api]);
  const options = useMemo(() => {
    // In natural order of their titles (cell-2 before cell-10), whatever order the backend lists them in.
    const items = sortNatural(cells.value?.items ?? [], c => [c.title, c.entityRef]);
    // A value the list lacks (from the URL, or a cell not reconciled yet) stays visible.
    const current = normalizeRef(formData, 'system');
    return current && !items.some(c => c.entityRef === current) ? [...items, { entityRef: current, title: current, owner: '', environments: [] }] : items;
  }, [cells.value, formData]);
  const selected = options.find(c => c.entityRef === normalizeRef(formData, 'system')) ?? null;
  return (
    <ScaffolderField rawErrors={rawErrors} rawDescription={uiSchema['ui:description'] ?? schema.description} required={required} disabled={disabled}>
      <Autocomplete
        id={idSchema?.$id}
        options={options}
        value={selected}
        loading={cells.loading}
        disabled={disabled || readonly}
        getOptionLabel={label}
        getOptionSelected={(option, value) => option.entityRef === value.entityRef}
        onChange={(_event, value) => onChange(value?.entityRef)}
        renderOption={cell => (
          <span>
            {cell.title}
            <Typography variant="caption" color="textSecondary" component="span">
              {' '}
              {cell.entityRef}
              {cell.owner ? ` · owner ${cell.owner}` : ''}
            </Typography>
          </span>
        )}
        renderInput={pickerInput({
          label: schema.title ?? 'Cell',
          required,
          error: rawErrors.length > 0 || !!cells.error,
          helperText: cells.error ? `Could not load the cells: ${messageOf(cells.error)}` : undefined,
        })}
      />
    </ScaffolderField>
  );
}
