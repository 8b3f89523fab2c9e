import { compareText } from './order';

describe('compareText', () => {
  it('orders by code unit: upper case before lower case, "-" before letters and digits', () => {
    expect(['b', 'a-b', 'B', 'ab', 'a_b', 'a', '10', '9'].sort(compareText)).toEqual(['10', '9', 'B', 'a', 'a-b', 'a_b', 'ab', 'b']);
  });

  it('is the order of sort() without a comparator, and 0 only for equal strings', () => {
    const words = ['flight-dynamics', 'flight-director', 'yankee', 'india', 'juliett', 'Ä', 'z', 'ž'];
    expect([...words].sort(compareText)).toEqual([...words].sort());
    expect(compareText('x', 'x')).toBe(0);
    expect(compareText('i', 'y')).toBeLessThan(0);
    expect(compareText('y', 'j')).toBeGreaterThan(0);
  });
});
