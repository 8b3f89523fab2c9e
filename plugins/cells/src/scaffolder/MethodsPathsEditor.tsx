import { useState } from 'react';
import Button from '@material-ui/core/Button';
import Checkbox from '@material-ui/core/Checkbox';
import FormControlLabel from '@material-ui/core/FormControlLabel';
import FormGroup from '@material-ui/core/FormGroup';
import FormLabel from '@material-ui/core/FormLabel';
import IconButton from '@material-ui/core/IconButton';
import TextField from '@material-ui/core/TextField';
import AddIcon from '@material-ui/icons/Add';
import DeleteIcon from '@material-ui/icons/Delete';
import type { FieldExtensionComponentProps } from '@backstage/plugin-scaffolder-react';
import { ScaffolderField } from '@backstage/plugin-scaffolder-react/alpha';
import { HTTP_METHODS, pathPatternError } from '@cellplane/cells-common/browser';

/** `ui:field: CellsMethodsPaths`. */
export const METHODS_PATHS_EDITOR = 'CellsMethodsPaths';

/** The value on an object parameter; on an array parameter the editor edits the paths alone. */
export interface MethodsPaths {
  methods?: string[];
  paths?: string[];
}

/** Why a path pattern is refused (the core's own rule), or undefined. */
export function pathProblem(path: string): string | undefined {
  const reason = pathPatternError(path);
  return reason ? `${JSON.stringify(path)} ${reason}` : undefined;
}

/**
 * Every path problem in a value. The stepper hands a validator the field's
 * value, but for a field inside a list of objects it hands the whole list
 * (createAsyncValidators): so the paths are looked for in each shape.
 */
export function methodsPathsProblems(value: unknown): string[] {
  const paths: unknown[] = [];
  const collect = (v: unknown) => {
    if (Array.isArray(v)) v.forEach(item => (typeof item === 'string' ? paths.push(item) : collect(item)));
    else if (typeof v === 'object' && v !== null && Array.isArray((v as MethodsPaths).paths)) paths.push(...(v as MethodsPaths).paths!);
  };
  collect(value);
  return paths.flatMap(p => (typeof p === 'string' ? pathProblem(p) ?? [] : [`${JSON.stringify(p)} is not a path`]));
}

export function validateMethodsPaths(value: unknown, validation: { addError(message: string): void }) {
  for (const problem of methodsPathsProblems(value)) validation.addError(`path pattern ${problem}`);
}

/**
 * Methods as checkboxes and path patterns one per line; a pattern the core
 * would refuse is marked as it is typed, with the reason. Nothing checked and
 * no path means every method and every path.
 */
export function MethodsPathsEditor(props: FieldExtensionComponentProps<MethodsPaths | string[]>) {
  const { formData, onChange, schema, uiSchema, idSchema, rawErrors = [], required, disabled, readonly } = props;
  const pathsOnly = schema.type === 'array';
  const asObject = Array.isArray(formData) ? undefined : formData;
  const initial = (pathsOnly ? (formData as string[] | undefined) : asObject?.paths) ?? [];
  // Rows are local: an empty row being typed into is not part of the value yet.
  const [rows, setRows] = useState<string[]>(initial.length ? initial : ['']);
  const methods = (!pathsOnly && asObject?.methods) || [];
  const id = idSchema?.$id ?? 'methods-paths';
  const locked = disabled || readonly;

  const emit = (nextMethods: string[], nextRows: string[]) => {
    const paths = nextRows.map(r => r.trim()).filter(Boolean);
    if (pathsOnly) onChange(paths.length ? paths : undefined);
    else {
      const value: MethodsPaths = { ...(nextMethods.length ? { methods: nextMethods } : {}), ...(paths.length ? { paths } : {}) };
      onChange(Object.keys(value).length ? value : undefined);
    }
  };
  const setRow = (i: number, text: string) => {
    const next = rows.map((r, j) => (j === i ? text : r));
    setRows(next);
    emit(methods, next);
  };
  const removeRow = (i: number) => {
    const next = rows.filter((_, j) => j !== i);
    setRows(next.length ? next : ['']);
    emit(methods, next);
  };
  const toggleMethod = (method: string) => {
    const next = methods.includes(method) ? methods.filter(m => m !== method) : HTTP_METHODS.filter(m => m === method || methods.includes(m));
    emit(next, rows);
  };

  return (
    <ScaffolderField
      rawErrors={rawErrors}
      rawDescription={
        uiSchema['ui:description'] ??
        schema.description ??
        'Nothing checked: every method. No path: every path. Paths: exact (/a), prefix (/a/*) or suffix (*.json).'
      }
      required={required}
      disabled={disabled}
    >
      <FormLabel component="legend">{schema.title ?? (pathsOnly ? 'Paths' : 'Methods and paths')}</FormLabel>
      {!pathsOnly && (
        <FormGroup row aria-label="methods">
          {HTTP_METHODS.map(method => (
            <FormControlLabel
              key={method}
              label={method}
              control={<Checkbox checked={methods.includes(method)} onChange={() => toggleMethod(method)} disabled={locked} size="small" />}
            />
          ))}
        </FormGroup>
      )}
      <div aria-label="paths">
        {rows.map((row, i) => {
          const problem = row.trim() ? pathProblem(row.trim()) : undefined;
          return (
            <div key={i} style={{ display: 'flex', alignItems: 'flex-start' }}>
              <TextField
                id={`${id}_path_${i}`}
                inputProps={{ 'aria-label': `path ${i + 1}` }}
                value={row}
                placeholder="/status, /items/* or *.json"
                onChange={e => setRow(i, e.target.value)}
                error={!!problem}
                helperText={problem ? `Refused: ${problem}` : undefined}
                disabled={locked}
                margin="dense"
                variant="outlined"
                size="small"
                fullWidth
              />
              <IconButton aria-label={`remove path ${i + 1}`} onClick={() => removeRow(i)} disabled={locked} size="small" style={{ marginTop: 12 }}>
                <DeleteIcon fontSize="small" />
              </IconButton>
            </div>
          );
        })}
        <Button size="small" startIcon={<AddIcon />} onClick={() => setRows([...rows, ''])} disabled={locked}>
          Add a path
        </Button>
      </div>
    </ScaffolderField>
  );
}
