import { CellsSettings, RequestResult } from '@cellplane/cells-common';
import { InputError } from './readDocuments';
import { Output } from './output';

/** The environments a command works on: the one named, or the first (or all) configured. */
export function environmentsToCheck(settings: CellsSettings, env: string | undefined, all = false): string[] {
  const names = settings.environments.map(e => e.name);
  if (env === undefined) return all ? names : [names[0]];
  if (!names.includes(env)) throw new InputError(`--env ${env}: no such environment; configured: ${names.join(', ')}`);
  return [env];
}

/** Prints a request's verdict: the documented JSON shape, or readable text. */
export function printResult(output: Output, result: RequestResult, json?: boolean, note?: string): void {
  if (json) {
    const { allowed, decidedBy, layers, explanation } = result;
    output.stdout(`${JSON.stringify({ allowed, decidedBy, layers, explanation, ...(note ? { note } : {}) }, null, 2)}\n`);
    return;
  }
  output.stdout(`${result.allowed ? 'ALLOWED' : `DENIED at ${result.decidedBy}`}\n`);
  for (const layer of result.layers) {
    output.stdout(`  ${layer.layer.padEnd(5)} ${layer.verdict.padEnd(14)} ${layer.policies.join(', ') || '-'}\n        ${layer.reason}\n`);
  }
  if (note) output.stdout(`  note: ${note}\n`);
}
