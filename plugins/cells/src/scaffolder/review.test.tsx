import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { renderInTestApp } from '@backstage/frontend-test-utils';
import { catalogApiRef } from '@backstage/plugin-catalog-react';
import { catalogApiMock } from '@backstage/plugin-catalog-react/testUtils';
import { Stepper } from '@backstage/plugin-scaffolder-react/alpha';
import type { PreviewBody, PreviewResponse } from '../api/types';
import { cellsApiRef } from '../api/CellsApi';
import { mockCellsApi } from '../components/testApi';
import { ACCESS_PREVIEW, AccessPreview, validateAccessPreview } from './AccessPreview';
import { CELL_PICKER, CellPicker } from './CellPicker';
import { METHODS_PATHS_EDITOR, MethodsPathsEditor, validateMethodsPaths } from './MethodsPathsEditor';

/** "New service in a cell" cut to what the fields do: the scaffolder's own stepper, our fields. */
const manifest = {
  title: 'New service in a cell',
  steps: [
    {
      title: 'The service',
      schema: {
        required: ['name', 'cell'],
        properties: {
          name: { title: 'Name', type: 'string' },
          cell: { title: 'Cell', type: 'string', 'ui:field': CELL_PICKER },
          endpoints: { type: 'array', default: [{ name: 'http', port: 8080, protocol: 'HTTP', visibility: 'organization' }], 'ui:widget': 'hidden' },
        },
      },
    },
    {
      title: 'Who may call it',
      schema: {
        properties: {
          paths: { title: 'Paths', type: 'array', items: { type: 'string' }, 'ui:field': METHODS_PATHS_EDITOR },
        },
      },
    },
    {
      title: 'Review the access',
      schema: {
        properties: {
          accessPreview: {
            title: 'Access after this change',
            type: 'object',
            'ui:field': ACCESS_PREVIEW,
            'ui:options': { kind: 'component' },
            properties: {
              summary: { title: 'Access', type: 'string' },
              added: { title: 'Newly allowed', type: 'array', items: { type: 'string' } },
              removed: { title: 'No longer allowed', type: 'array', items: { type: 'string' } },
            },
          },
        },
      },
    },
  ],
};

const extensions = [
  { name: CELL_PICKER, component: CellPicker },
  { name: METHODS_PATHS_EDITOR, component: MethodsPathsEditor, validation: validateMethodsPaths },
  { name: ACCESS_PREVIEW, component: AccessPreview, validation: validateAccessPreview },
];

describe('the fields in the scaffolder stepper', () => {
  beforeAll(() => {
    // The stepper scrolls to the top on each step; jsdom has no layout to scroll.
    window.scrollTo = jest.fn() as any;
  });

  it('pick a cell, refuse a bad path, and show the access diff on the review step before Create', async () => {
    const api = mockCellsApi({
      listCells: jest.fn(async () => ({
        items: [{ entityRef: 'system:default/houston', title: 'Houston', owner: 'group:default/houston-flight-ops', environments: [] }],
      })),
      preview: jest.fn(
        async (_body: PreviewBody): Promise<PreviewResponse> => ({
          environment: 'development',
          entities: ['component:default/clock'],
          cells: [{ entityRef: 'system:default/houston', namespace: 'houston', exists: true, objects: [] }],
          accessDiff: {
            added: [{ from: 'gateway', to: 'houston/clock', port: 8080, layer: 'L7', text: 'the gateway may now GET / on houston/clock' }],
            removed: [],
          },
        }),
      ),
    });
    const onCreate = jest.fn(async () => {});
    renderInTestApp(<Stepper manifest={manifest as any} extensions={extensions as any} onCreate={onCreate} />, {
      apis: [
        [cellsApiRef, api],
        [catalogApiRef, catalogApiMock()],
      ],
    });

    fireEvent.change(await screen.findByRole('textbox', { name: 'Name' }), { target: { value: 'clock' } });
    fireEvent.change(screen.getByRole('textbox', { name: /Cell/ }), { target: { value: 'hou' } });
    fireEvent.click(await screen.findByRole('option', { name: /Houston/ }));
    fireEvent.click(screen.getByRole('button', { name: 'Next' }));

    // A bad pattern is marked as it is typed, and the step does not go on.
    fireEvent.change(await screen.findByRole('textbox', { name: 'path 1' }), { target: { value: 'status' } });
    expect(screen.getByText('Refused: "status" does not start with "/"')).toBeInTheDocument();
    fireEvent.click(screen.getByRole('button', { name: 'Next' }));
    expect(await screen.findAllByText(/path pattern "status" does not start with "\/"/)).not.toHaveLength(0);
    expect(screen.queryByText('Access after this change')).toBeNull();
    fireEvent.change(screen.getByRole('textbox', { name: 'path 1' }), { target: { value: '/status' } });
    fireEvent.click(screen.getByRole('button', { name: 'Next' }));

    // The last step previews the change.
    expect(await screen.findByRole('list', { name: 'newly allowed' })).toHaveTextContent('the gateway may now GET / on houston/clock');
    expect((api.preview as jest.Mock).mock.calls[0][0].entities[0]).toMatchObject({ metadata: { name: 'clock' }, spec: { system: 'system:default/houston' } });
    await waitFor(() => expect(screen.getByRole('button', { name: 'Review' })).toBeEnabled());
    fireEvent.click(screen.getByRole('button', { name: 'Review' }));

    // The review lists the access diff next to the values, before Create.
    const create = await screen.findByRole('button', { name: 'Create' });
    const table = screen.getByRole('table');
    expect(within(table).getByText('Newly allowed')).toBeInTheDocument();
    expect(within(table).getByText('the gateway may now GET / on houston/clock')).toBeInTheDocument();
    expect(within(table).getByText('1 request newly allowed, none no longer allowed in development')).toBeInTheDocument();
    fireEvent.click(create);
    await waitFor(() => expect(onCreate).toHaveBeenCalled());
    expect((onCreate.mock.calls[0] as any[])[0]).toMatchObject({
      name: 'clock',
      cell: 'system:default/houston',
      paths: ['/status'],
      accessPreview: { added: ['the gateway may now GET / on houston/clock'] },
    });
  });
});
