import { renderHook } from '@testing-library/react';
import type { KeyboardEvent } from 'react';
import { useArrowKeys } from './useArrowKeys';

const ids = ['gateway', 'system:default/houston', 'component:default/capcom'];

function nodes() {
  return ids.map(id => {
    const element = document.createElement('div');
    element.className = 'react-flow__node';
    element.setAttribute('data-id', id);
    element.tabIndex = 0;
    document.body.append(element);
    return element;
  });
}

const key = (k: string) => ({ key: k, preventDefault: jest.fn() } as unknown as KeyboardEvent<HTMLElement> & { preventDefault: jest.Mock });

describe('useArrowKeys', () => {
  afterEach(() => {
    document.body.innerHTML = '';
  });

  it('moves from the focused node to the next or previous one in reading order, selecting and focusing it', () => {
    const [gateway, houston, capcom] = nodes();
    const select = jest.fn();
    const { result } = renderHook(() => useArrowKeys(ids, '', select));
    houston.focus();
    const right = key('ArrowRight');
    result.current(right);
    expect(select).toHaveBeenLastCalledWith('component:default/capcom');
    expect(document.activeElement).toBe(capcom);
    expect(right.preventDefault).toHaveBeenCalled();
    result.current(key('ArrowDown'));
    expect(document.activeElement).toBe(gateway);
    result.current(key('ArrowUp'));
    expect(document.activeElement).toBe(capcom);
    result.current(key('ArrowLeft'));
    expect(select).toHaveBeenLastCalledWith('system:default/houston');
  });

  it('starts from the selected node when no node has focus, and leaves other keys alone', () => {
    nodes();
    const select = jest.fn();
    const { result } = renderHook(() => useArrowKeys(ids, 'gateway', select));
    const enter = key('Enter');
    result.current(enter);
    expect(select).not.toHaveBeenCalled();
    expect(enter.preventDefault).not.toHaveBeenCalled();
    result.current(key('ArrowRight'));
    expect(select).toHaveBeenCalledWith('system:default/houston');
  });
});
