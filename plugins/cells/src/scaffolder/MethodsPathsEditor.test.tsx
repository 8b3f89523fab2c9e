import { fireEvent, screen } from '@testing-library/react';
import { renderInTestApp } from '@backstage/frontend-test-utils';
import { MethodsPathsEditor, methodsPathsProblems, validateMethodsPaths } from './MethodsPathsEditor';
import { fieldProps } from './testFields';

describe('MethodsPathsEditor', () => {
  it('rejects a bad path pattern as it is typed, with the reason, and accepts a good one', async () => {
    const onChange = jest.fn();
    renderInTestApp(<MethodsPathsEditor {...fieldProps({ name: 'access', schema: { type: 'object', title: 'Methods and paths' }, onChange })} />);
    const path = screen.getByRole('textbox', { name: 'path 1' });
    fireEvent.change(path, { target: { value: '/items*/x' } });
    expect(screen.getByText('Refused: "/items*/x" has a "*" in the middle; only `prefix*` and `*suffix` are supported')).toBeInTheDocument();
    expect(path).toHaveAttribute('aria-invalid', 'true');
    fireEvent.change(path, { target: { value: 'status' } });
    expect(screen.getByText('Refused: "status" does not start with "/"')).toBeInTheDocument();
    fireEvent.change(path, { target: { value: '/status' } });
    expect(screen.queryByText(/Refused/)).toBeNull();
    expect(path).toHaveAttribute('aria-invalid', 'false');
    expect(onChange).toHaveBeenLastCalledWith({ paths: ['/status'] });

    fireEvent.click(screen.getByRole('checkbox', { name: 'POST' }));
    expect(onChange).toHaveBeenLastCalledWith({ methods: ['POST'], paths: ['/status'] });
    fireEvent.click(screen.getByRole('button', { name: 'Add a path' }));
    fireEvent.change(screen.getByRole('textbox', { name: 'path 2' }), { target: { value: '*.json' } });
    expect(onChange).toHaveBeenLastCalledWith({ paths: ['/status', '*.json'] });
  });

  it('edits a list of paths alone on an array parameter', async () => {
    const onChange = jest.fn();
    renderInTestApp(<MethodsPathsEditor {...fieldProps({ name: 'paths', formData: ['/a', 'b*c'], schema: { type: 'array', title: 'Paths' }, onChange })} />);
    expect(screen.queryByRole('checkbox')).toBeNull();
    expect(screen.getByText('Refused: "b*c" has a "*" in the middle; only `prefix*` and `*suffix` are supported')).toBeInTheDocument();
    fireEvent.click(screen.getByRole('button', { name: 'remove path 2' }));
    expect(onChange).toHaveBeenLastCalledWith(['/a']);
  });

  it('holds the form back on a bad pattern in any shape the stepper passes', () => {
    expect(methodsPathsProblems({ methods: ['GET'], paths: ['/ok', '*'] })).toEqual(['"*" is a lone "*"; leave `paths` out to allow every path']);
    expect(methodsPathsProblems(['/ok', 'x'])).toEqual(['"x" does not start with "/"']);
    // Inside a list of grants the stepper hands over the whole list.
    expect(methodsPathsProblems([{ system: 'orion', paths: ['/a?b'] }, { component: 'x' }])).toEqual([
      '"/a?b" contains whitespace, "?" or "#" (query strings and fragments are never matched)',
    ]);
    const errors: string[] = [];
    validateMethodsPaths({ paths: ['/ok'] }, { addError: e => errors.push(e) });
    validateMethodsPaths({ paths: ['a*b'] }, { addError: e => errors.push(e) });
    expect(errors).toEqual(['path pattern "a*b" has a "*" in the middle; only `prefix*` and `*suffix` are supported']);
  });
});
