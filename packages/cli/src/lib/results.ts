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

function pad(text: string, width: number): string {
  return text.padEnd(width);
}

/** A request's verdict as text: the layers, the path through the waypoint, the sentence. */
export function formatResult(r: RequestResult, what: string): string {
  const lines = [`${r.allowed ? 'ALLOWED' : `DENIED at ${r.decidedBy}`}: ${what}`];
  if (r.edge) {
    lines.push(`  ${pad('edge', 6)} ${pad(r.edge.verdict, 15)} ${r.edge.reason}`);
    lines.push(`         ${r.edge.message}`);
    if (r.edge.rateLimit) {
      const { requests, per, by } = r.edge.rateLimit;
      lines.push(
        `         rate limit: ${requests} per ${per} per ${by.kind === 'client-ip' ? 'client address' : `${by.kind} ${by.name}`} (reported, not simulated)`,
      );
    }
  }
  for (const l of r.layers) {
    lines.push(`  ${pad(l.layer, 6)} ${pad(l.verdict, 15)} ${l.policies.length > 0 ? l.policies.join(', ') : '-'}`);
    lines.push(`         ${l.reason}`);
  }
  if (r.hops.length > 1) lines.push(`  path: ${r.hops.map(h => `${h.from} -> ${h.to} (${h.port})`).join(', then ')}`);
  lines.push(r.explanation);
  return `${lines.join('\n')}\n`;
}

/** Prints a request's verdict: the documented JSON shape (shared by analyze and simulate), or text. */
export function printResult(output: Output, result: RequestResult, what: string, json?: boolean, note?: string): void {
  if (json) {
    const { allowed, decidedBy, layers, explanation, hops, edge } = result;
    output.stdout(`${JSON.stringify({ allowed, decidedBy, ...(edge ? { edge } : {}), layers, explanation, hops, ...(note ? { note } : {}) }, null, 2)}\n`);
    return;
  }
  output.stdout(formatResult(result, what));
  if (note) output.stdout(`note: ${note}\n`);
}
