import { createExtensionTester } from '@backstage/frontend-test-utils';
import { FormFieldBlueprint } from '@backstage/plugin-scaffolder-react/alpha';
import { cellsScaffolderFieldsModule } from '../alpha';
import { accessPreviewField, authProviderPickerField, cellPickerField, connectionPickerField, endpointPickerField, methodsPathsField } from './extensions';

describe('the template fields for the new frontend system', () => {
  it('are a module of the scaffolder: six form fields on its form-fields API', () => {
    // The module's resolved extensions (an internal field of FrontendModule).
    const { pluginId, extensions } = cellsScaffolderFieldsModule as unknown as { pluginId: string; extensions: { id: string; attachTo: unknown }[] };
    expect(pluginId).toBe('scaffolder');
    expect(extensions.map(e => e.id)).toEqual([
      'scaffolder-form-field:scaffolder/cells-cell-picker',
      'scaffolder-form-field:scaffolder/cells-endpoint-picker',
      'scaffolder-form-field:scaffolder/cells-connection-picker',
      'scaffolder-form-field:scaffolder/cells-methods-paths',
      'scaffolder-form-field:scaffolder/cells-access-preview',
      'scaffolder-form-field:scaffolder/cells-auth-provider-picker',
    ]);
    for (const e of extensions) expect(e.attachTo).toEqual({ id: 'api:scaffolder/form-fields', input: 'formFields' });
  });

  it('load their fields lazily', async () => {
    const loaders = [
      createExtensionTester(cellPickerField).get(FormFieldBlueprint.dataRefs.formFieldLoader),
      createExtensionTester(endpointPickerField).get(FormFieldBlueprint.dataRefs.formFieldLoader),
      createExtensionTester(connectionPickerField).get(FormFieldBlueprint.dataRefs.formFieldLoader),
      createExtensionTester(methodsPathsField).get(FormFieldBlueprint.dataRefs.formFieldLoader),
      createExtensionTester(accessPreviewField).get(FormFieldBlueprint.dataRefs.formFieldLoader),
      createExtensionTester(authProviderPickerField).get(FormFieldBlueprint.dataRefs.formFieldLoader),
    ];
    for (const loader of loaders) expect((await loader()).$$type).toBe('@backstage/scaffolder/FormField');
  });
});
