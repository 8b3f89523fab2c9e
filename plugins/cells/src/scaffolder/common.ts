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
