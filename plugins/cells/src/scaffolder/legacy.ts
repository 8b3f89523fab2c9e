import { createScaffolderFieldExtension } from '@backstage/plugin-scaffolder-react';
import { cellsPlugin } from '../plugin';
import { ACCESS_PREVIEW, AccessPreview, validateAccessPreview } from './AccessPreview';
import { AUTH_PROVIDER_PICKER, AuthProviderPicker } from './AuthProviderPicker';
import { CELL_PICKER, CellPicker } from './CellPicker';
import { CONNECTION_PICKER, ConnectionPicker, validateConnectionChoice } from './ConnectionPicker';
import { ENDPOINT_PICKER, EndpointPicker, validateEndpointChoice } from './EndpointPicker';
import { METHODS_PATHS_EDITOR, MethodsPathsEditor, validateMethodsPaths } from './MethodsPathsEditor';

/*
 * The same fields for legacy apps: put them inside <ScaffolderFieldExtensions>
 * of the scaffolder's route.
 */

export const CellsCellPickerFieldExtension = cellsPlugin.provide(createScaffolderFieldExtension({ name: CELL_PICKER, component: CellPicker }));

export const CellsEndpointPickerFieldExtension = cellsPlugin.provide(
  createScaffolderFieldExtension({ name: ENDPOINT_PICKER, component: EndpointPicker, validation: validateEndpointChoice }),
);

export const CellsConnectionPickerFieldExtension = cellsPlugin.provide(
  createScaffolderFieldExtension({ name: CONNECTION_PICKER, component: ConnectionPicker, validation: validateConnectionChoice }),
);

export const CellsMethodsPathsFieldExtension = cellsPlugin.provide(
  createScaffolderFieldExtension({ name: METHODS_PATHS_EDITOR, component: MethodsPathsEditor, validation: validateMethodsPaths }),
);

export const CellsAccessPreviewFieldExtension = cellsPlugin.provide(
  createScaffolderFieldExtension({ name: ACCESS_PREVIEW, component: AccessPreview, validation: validateAccessPreview }),
);

export const CellsAuthProviderPickerFieldExtension = cellsPlugin.provide(
  createScaffolderFieldExtension({ name: AUTH_PROVIDER_PICKER, component: AuthProviderPicker }),
);
