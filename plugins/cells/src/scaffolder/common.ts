import { useEffect, useState } from 'react';

export interface Loaded<T> {
  loading: boolean;
  value?: T;
  error?: Error;
}

/** Runs `load` when `key` changes; an answer for an older key is dropped. */
export function useLoad<T>(load: () => Promise<T>, key: string): Loaded<T> {
  const [state, setState] = useState<Loaded<T>>({ loading: true });
  useEffect(() => {
    let current = true;
    setState(s => ({ loading: true, value: s.value }));
    load().then(
      value => current && setState({ loading: false, value }),
      error => current && setState({ loading: false, error }),
    );
    return () => {
      current = false;
    };
    // `load` is a new closure each render; the key says when its answer changes.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key]);
  return state;
}

/**
 * The whole form's data (every step so far). The scaffolder's stepper passes it
 * as formContext.formData; rjsf hands the formContext to fields directly and
 * through the registry.
 */
export function wholeFormData(props: { formContext?: unknown; registry?: { formContext?: unknown } }): Record<string, unknown> {
  const context = (props.formContext ?? props.registry?.formContext) as { formData?: unknown } | undefined;
  const data = context?.formData;
  return typeof data === 'object' && data !== null && !Array.isArray(data) ? (data as Record<string, unknown>) : {};
}

/** The message a person needs from an error (the client puts the backend's own message first). */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
