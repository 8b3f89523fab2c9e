import { useState } from 'react';
import { fireEvent, render, screen, within } from '@testing-library/react';
import { Choice, firstMatches, SearchableSelect } from './SearchableSelect';

const many: Choice[] = Array.from({ length: 5000 }, (_, i) => ({ value: `v${i}`, label: `cell-${Math.floor(i / 10)}/svc-${i}` }));

describe('firstMatches', () => {
  it('keeps the first matches and says how many more there are', () => {
    const shown = firstMatches(many, '', 50);
    expect(shown).toHaveLength(51);
    expect(shown[49].label).toBe('cell-4/svc-49');
    expect(shown[50].label).toBe('…and 4,950 more: type to narrow the list');
  });

  it('matches what is typed anywhere in the label, in any case', () => {
    expect(firstMatches(many, 'SVC-4999', 50).map(c => c.value)).toEqual(['v4999']);
    expect(firstMatches(many, 'cell-499/', 50)).toHaveLength(10);
    expect(firstMatches(many, 'nothing like it', 50)).toEqual([]);
  });
});

function Harness({ initial = 'v0', choices = many }: { initial?: string; choices?: Choice[] }) {
  const [value, setValue] = useState(initial);
  return (
    <>
      <SearchableSelect label="Target" choices={choices} value={value} onChange={setValue} />
      <output aria-label="chosen">{value}</output>
    </>
  );
}

describe('SearchableSelect', () => {
  it('renders a few dozen of 5,000 options, finds any by typing, and chooses it', () => {
    render(<Harness />);
    const input = screen.getByLabelText('Target');
    expect(input).toHaveValue('cell-0/svc-0');
    fireEvent.mouseDown(input);
    const list = screen.getByRole('listbox');
    const options = within(list).getAllByRole('option');
    expect(options).toHaveLength(51);
    expect(options[50]).toHaveTextContent('…and 4,950 more: type to narrow the list');
    expect(options[50]).toHaveAttribute('aria-disabled', 'true');
    fireEvent.change(input, { target: { value: 'svc-4321' } });
    fireEvent.click(screen.getByRole('option', { name: 'cell-432/svc-4321' }));
    expect(screen.getByLabelText('chosen')).toHaveTextContent('v4321');
    expect(input).toHaveValue('cell-432/svc-4321');
  });

  it('shows a value that is not among the choices as itself', () => {
    render(<Harness initial="houston/removed" choices={many.slice(0, 3)} />);
    expect(screen.getByLabelText('Target')).toHaveValue('houston/removed');
  });
});
