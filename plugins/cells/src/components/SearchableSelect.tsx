import { useMemo } from 'react';
import TextField from '@material-ui/core/TextField';
import Autocomplete, { createFilterOptions } from '@material-ui/lab/Autocomplete';

export interface Choice {
  value: string;
  label: string;
}

/** Options the list renders at most: a catalog's thousands of components are searched, not scrolled. */
export const SHOWN_CHOICES = 50;

const MORE = '\u0000more';
const contains = createFilterOptions<Choice>({ stringify: c => c.label });

/**
 * The first `limit` choices that contain what is typed (any case), and when
 * more match, a last, disabled line saying how many more and to type to
 * narrow them. Nothing typed (or the chosen label) shows the first `limit`.
 */
export function firstMatches(choices: Choice[], inputValue: string, limit = SHOWN_CHOICES): Choice[] {
  const matched = contains(choices, { inputValue, getOptionLabel: c => c.label });
  if (matched.length <= limit) return matched;
  const more = matched.length - limit;
  return [...matched.slice(0, limit), { value: MORE, label: `…and ${more.toLocaleString('en')} more: type to narrow the list` }];
}

export interface SearchableSelectProps {
  label: string;
  choices: Choice[];
  value: string;
  onChange(value: string): void;
  className?: string;
  /** Choices rendered at a time (the rest are reached by typing). */
  limit?: number;
}

/**
 * A select for long lists (components and cells of a large catalog): type to
 * search, and at most `limit` options are rendered at a time. A value that is
 * not among the choices (a preset naming a component since removed) still
 * shows as itself.
 */
export function SearchableSelect({ label, choices, value, onChange, className, limit = SHOWN_CHOICES }: SearchableSelectProps) {
  const options = useMemo(() => (value === '' || choices.some(c => c.value === value) ? choices : [...choices, { value, label: value }]), [choices, value]);
  const selected = useMemo(() => options.find(c => c.value === value) ?? null, [options, value]);
  return (
    <Autocomplete<Choice, false, boolean, false>
      className={className}
      size="small"
      options={options}
      value={selected}
      disableClearable={selected !== null}
      autoHighlight
      openOnFocus
      getOptionLabel={c => c.label}
      getOptionSelected={(option, current) => option.value === current.value}
      getOptionDisabled={c => c.value === MORE}
      filterOptions={(list, state) => firstMatches(list, state.inputValue, limit)}
      onChange={(_event, choice) => {
        if (choice && choice.value !== MORE) onChange(choice.value);
      }}
      renderInput={params => <TextField {...params} label={label} />}
    />
  );
}
