import { createFormField } from '@backstage/plugin-scaffolder-react/alpha';
import { ACCESS_PREVIEW, AccessPreview, validateAccessPreview } from './AccessPreview';
import { AUTH_PROVIDER_PICKER, AuthProviderPicker } from './AuthProviderPicker';
import { CELL_PICKER, CellPicker } from './CellPicker';
import { CONNECTION_PICKER, ConnectionPicker, validateConnectionChoice } from './ConnectionPicker';
import { ENDPOINT_PICKER, EndpointPicker, validateEndpointChoice } from './EndpointPicker';
import { METHODS_PATHS_EDITOR, MethodsPathsEditor, validateMethodsPaths } from './MethodsPathsEditor';

/*
 * The fields as the new frontend system's scaffolder loads them (each through
 * a FormFieldBlueprint, lazily).
 */

export const cellPickerFormField = createFormField({ name: CELL_PICKER, component: CellPicker });

export const endpointPickerFormField = createFormField({
  name: ENDPOINT_PICKER,
  component: EndpointPicker,
  validation: validateEndpointChoice,
});

export const connectionPickerFormField = createFormField({
  name: CONNECTION_PICKER,
  component: ConnectionPicker,
  validation: validateConnectionChoice,
});

export const methodsPathsFormField = createFormField({
  name: METHODS_PATHS_EDITOR,
  component: MethodsPathsEditor,
  validation: validateMethodsPaths,
});

export const accessPreviewFormField = createFormField({
  name: ACCESS_PREVIEW,
  component: AccessPreview,
  validation: validateAccessPreview,
});

export const authProviderPickerFormField = createFormField({ name: AUTH_PROVIDER_PICKER, component: AuthProviderPicker });
