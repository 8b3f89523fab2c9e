import { DependencyList, useEffect, useState } from 'react';

export interface AsyncState<T> {
  loading: boolean;
  value?: T;
  error?: Error;
}

/**
 * Runs `load` whenever deps change and keeps only the latest answer (the
 * previous value while loading). `keepValueOnError`: a failed load keeps the
 * last value beside the error (a page that polls keeps showing it).
 */
export function useAsync<T>(load: () => Promise<T>, deps: DependencyList, options: { keepValueOnError?: boolean } = {}): AsyncState<T> {
  const [state, setState] = useState<AsyncState<T>>({ loading: true });
  useEffect(() => {
    let current = true;
    setState(s => ({ loading: true, value: s.value }));
    load().then(
      value => current && setState({ loading: false, value }),
      error => current && setState(s => ({ loading: false, error, ...(options.keepValueOnError ? { value: s.value } : {}) })),
    );
    return () => {
      current = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, deps);
  return state;
}
