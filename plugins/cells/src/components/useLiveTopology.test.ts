import { renderHook, waitFor } from '@testing-library/react';
import { manualSchedule } from '../lib/__testUtils__/manualSchedule';
import { testTopology } from '../lib/testTopology';
import { useLiveTopology, waitingCells } from './useLiveTopology';

const pendingTopology = () => {
  const t = testTopology();
  t.cells[1] = { ...t.cells[1], state: 'pending' };
  return t;
};

describe('waitingCells', () => {
  it('counts the pending cells of those shown', () => {
    expect(waitingCells(pendingTopology())).toEqual({ shown: 2, pending: 1 });
    expect(waitingCells(pendingTopology(), 'system:default/houston')).toEqual({ shown: 1, pending: 0 });
    expect(waitingCells(pendingTopology(), 'system:default/orion')).toEqual({ shown: 1, pending: 1 });
  });
});

describe('useLiveTopology', () => {
  it('asks again after the short interval while a shown cell waits, after the long one when none does', async () => {
    const getTopology = jest.fn().mockResolvedValueOnce(pendingTopology()).mockResolvedValue(testTopology());
    // The api is one object across renders, as useApi gives it (a new one would ask again).
    const api = { getTopology };
    const polls = manualSchedule();
    const { result } = renderHook(() => useLiveTopology(api, { pollIntervalMs: 1000, livePollIntervalMs: 7000, schedule: polls.schedule }));
    expect(polls.delays()).toEqual([]);
    await waitFor(() => expect(result.current.waiting).toEqual({ shown: 2, pending: 1 }));
    expect(polls.delays()).toEqual([1000]);
    polls.fire();
    // One ask at a time: nothing is scheduled while it is in flight.
    expect(result.current.loading).toBe(true);
    expect(polls.delays()).toEqual([]);
    await waitFor(() => expect(result.current.waiting).toEqual({ shown: 2, pending: 0 }));
    expect(polls.delays()).toEqual([7000]);
    expect(getTopology).toHaveBeenCalledTimes(2);
  });

  it('decides by the fixed cell alone', async () => {
    const api = { getTopology: jest.fn(async () => pendingTopology()) };
    const polls = manualSchedule();
    const { result } = renderHook(() =>
      useLiveTopology(api, { fixedCell: 'system:default/houston', pollIntervalMs: 1000, livePollIntervalMs: 7000, schedule: polls.schedule }),
    );
    await waitFor(() => expect(result.current.value).toBeDefined());
    expect(polls.delays()).toEqual([7000]);
  });

  it('keeps the last answer beside an error and asks again', async () => {
    const getTopology = jest.fn().mockResolvedValueOnce(testTopology()).mockRejectedValueOnce(new Error('503')).mockResolvedValue(testTopology());
    const api = { getTopology };
    const polls = manualSchedule();
    const { result } = renderHook(() => useLiveTopology(api, { livePollIntervalMs: 7000, schedule: polls.schedule }));
    await waitFor(() => expect(polls.delays()).toEqual([7000]));
    polls.fire();
    await waitFor(() => expect(result.current.error?.message).toBe('503'));
    expect(result.current.value?.cells).toHaveLength(2);
    expect(polls.delays()).toEqual([7000]);
    polls.fire();
    await waitFor(() => expect(result.current.error).toBeUndefined());
    expect(getTopology).toHaveBeenCalledTimes(3);
  });

  it('schedules nothing while the tab is hidden, and asks again once it is shown', async () => {
    const visibility = jest.spyOn(document, 'visibilityState', 'get').mockReturnValue('hidden');
    try {
      const getTopology = jest.fn(async () => testTopology());
      const api = { getTopology };
      const polls = manualSchedule();
      const { result } = renderHook(() => useLiveTopology(api, { livePollIntervalMs: 7000, schedule: polls.schedule }));
      await waitFor(() => expect(result.current.value).toBeDefined());
      expect(polls.delays()).toEqual([]);
      visibility.mockReturnValue('visible');
      document.dispatchEvent(new Event('visibilitychange'));
      await waitFor(() => expect(polls.delays()).toEqual([7000]));
      expect(getTopology).toHaveBeenCalledTimes(1);
    } finally {
      visibility.mockRestore();
    }
  });

  it('asks for a new environment at once', async () => {
    const getTopology = jest.fn(async () => testTopology());
    const api = { getTopology };
    const polls = manualSchedule();
    const { result, rerender } = renderHook(({ environment }) => useLiveTopology(api, { environment, schedule: polls.schedule }), {
      initialProps: { environment: 'dev' },
    });
    await waitFor(() => expect(result.current.value).toBeDefined());
    rerender({ environment: 'prod' });
    await waitFor(() => expect(getTopology).toHaveBeenLastCalledWith('prod'));
    expect(getTopology).toHaveBeenCalledTimes(2);
  });
});
