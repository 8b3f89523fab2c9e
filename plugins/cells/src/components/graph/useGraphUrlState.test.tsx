import { ReactNode } from 'react';
import { act, renderHook } from '@testing-library/react';
import { MemoryRouter, useLocation } from 'react-router-dom';
import { largeTopology, testTopology } from '../../lib/testTopology';
import { useGraphUrlState } from './useGraphUrlState';

function renderAt(search: string, topology = testTopology(), fixedCell?: string) {
  const wrapper = ({ children }: { children: ReactNode }) => <MemoryRouter initialEntries={[`/cells${search}`]}>{children}</MemoryRouter>;
  const { result } = renderHook(() => ({ state: useGraphUrlState(topology, fixedCell), location: useLocation() }), { wrapper });
  return {
    state: () => result.current.state,
    params: () => Object.fromEntries(new URLSearchParams(result.current.location.search)),
  };
}

describe('useGraphUrlState', () => {
  it('reads the filters, selection, search and collapsed cells from the URL', () => {
    const { state } = renderAt(
      '?owner=group:default/ground&cell=system:default/houston&selected=component:default/capcom&q=cap&collapsed=system:default/orion',
    );
    expect(state()).toMatchObject({ owner: 'group:default/ground', cell: 'system:default/houston', selected: 'component:default/capcom', query: 'cap' });
    expect([...state().collapsed]).toEqual(['system:default/orion']);
  });

  it('has empty defaults, and a fixed cell wins over the URL', () => {
    expect(renderAt('').state()).toMatchObject({ owner: '', cell: '', selected: '', query: '' });
    expect([...renderAt('').state().collapsed]).toEqual([]);
    expect(renderAt('?cell=system:default/orion', testTopology(), 'system:default/houston').state().cell).toBe('system:default/houston');
  });

  it('sets and removes parameters in one update, keeping the others', () => {
    const { state, params } = renderAt('?environment=prod&owner=x');
    act(() => state().update({ owner: undefined, selected: 'system:default/houston' }));
    expect(params()).toEqual({ environment: 'prod', selected: 'system:default/houston' });
  });

  it('selecting a component of a collapsed cell expands that cell in the same update', () => {
    const { state, params } = renderAt('?collapsed=system:default/houston,system:default/orion');
    act(() => state().select('component:default/capcom', { q: 'capcom' }));
    expect(params()).toEqual({ collapsed: 'system:default/orion', selected: 'component:default/capcom', q: 'capcom' });
    expect([...state().collapsed]).toEqual(['system:default/orion']);
  });

  it("toggles a cell, writing a large catalog's expanded cells as the difference from all collapsed", () => {
    const { state, params } = renderAt('', largeTopology(31));
    expect(state().collapsed.size).toBe(31);
    act(() => state().toggleCollapsed('system:default/cell-3'));
    expect(params()).toEqual({ expanded: 'system:default/cell-3' });
    expect(state().collapsed.has('system:default/cell-3')).toBe(false);
    act(() => state().toggleCollapsed('system:default/cell-3'));
    expect(params()).toEqual({ expanded: '' });
    expect(state().collapsed.size).toBe(31);
  });

  it('collapses and expands all', () => {
    const { state, params } = renderAt('');
    act(() => state().setCollapsed(new Set(['system:default/houston', 'system:default/orion'])));
    expect(params()).toEqual({ collapsed: 'system:default/houston,system:default/orion' });
    act(() => state().setCollapsed(new Set()));
    expect(state().collapsed.size).toBe(0);
  });
});
