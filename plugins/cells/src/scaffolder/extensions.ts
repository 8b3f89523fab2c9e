import { createFrontendModule } from '@backstage/frontend-plugin-api';
import { FormFieldBlueprint } from '@backstage/plugin-scaffolder-react/alpha';

export const cellPickerField = FormFieldBlueprint.make({
  name: 'cells-cell-picker',
  params: { field: () => import('./fields').then(m => m.cellPickerFormField) },
});

export const endpointPickerField = FormFieldBlueprint.make({
  name: 'cells-endpoint-picker',
  params: { field: () => import('./fields').then(m => m.endpointPickerFormField) },
});

export const connectionPickerField = FormFieldBlueprint.make({
  name: 'cells-connection-picker',
  params: { field: () => import('./fields').then(m => m.connectionPickerFormField) },
});

export const methodsPathsField = FormFieldBlueprint.make({
  name: 'cells-methods-paths',
  params: { field: () => import('./fields').then(m => m.methodsPathsFormField) },
});

export const accessPreviewField = FormFieldBlueprint.make({
  name: 'cells-access-preview',
  params: { field: () => import('./fields').then(m => m.accessPreviewFormField) },
});

export const authProviderPickerField = FormFieldBlueprint.make({
  name: 'cells-auth-provider-picker',
  params: { field: () => import('./fields').then(m => m.authProviderPickerFormField) },
});

/**
 * Cellplane's template fields for the scaffolder (new frontend system):
 * CellsCellPicker, CellsEndpointPicker, CellsConnectionPicker, CellsMethodsPaths and
 * CellsAccessPreview, CellsAuthProviderPicker. A module of the scaffolder plugin, so an app installs it
 * next to the scaffolder; the fields call the cells plugin's API.
 */
export const cellsScaffolderFieldsModule = createFrontendModule({
  pluginId: 'scaffolder',
  extensions: [cellPickerField, endpointPickerField, connectionPickerField, methodsPathsField, accessPreviewField, authProviderPickerField],
});
