import TextField from '@material-ui/core/TextField';
import type { AutocompleteRenderInputParams } from '@material-ui/lab/Autocomplete';

export interface PickerInputProps {
  label: string;
  required?: boolean;
  error: boolean;
  helperText?: string;
}

/** The text field each picker of the template forms draws for its Autocomplete: outlined and dense, with its label, error state and help. */
export function pickerInput(props: PickerInputProps) {
  return (params: AutocompleteRenderInputParams) => <TextField {...params} margin="dense" variant="outlined" {...props} />;
}
