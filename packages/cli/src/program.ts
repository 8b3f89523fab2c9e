import { Command, CommanderError } from 'commander';
import { AnalyzerInputError } from '@cellplane/cells-common';
import { registerAnalyze } from './commands/analyze';
import { registerDiff } from './commands/diff';
import { registerRender } from './commands/render';
import { registerReport } from './commands/report';
import { registerSimulate } from './commands/simulate';
import { registerTraffic } from './commands/traffic';
import { registerVerify } from './commands/verify';
import { InputError } from './lib/readDocuments';
import { Output, processOutput } from './lib/output';

/** Builds the `cellplane` program; commands write to `output`. */
export function createProgram(output: Output = processOutput): Command {
  const program = new Command('cellplane')
    .description('Zero-trust cells from the Backstage catalog: render, analyze, simulate, verify, diff, traffic, report')
    .version('0.1.0')
    .exitOverride()
    .configureOutput({ writeOut: s => output.stdout(s), writeErr: s => output.stderr(s) });
  registerRender(program, output);
  registerAnalyze(program, output);
  registerSimulate(program, output);
  registerVerify(program, output);
  registerDiff(program, output);
  registerTraffic(program, output);
  registerReport(program, output);
  return program;
}

/**
 * Runs the program and returns the exit code: 0 on success, 1 on bad input or a
 * failed check (with the reason on stderr), never a stack trace for user errors.
 */
export async function run(argv: string[], output: Output = processOutput): Promise<number> {
  const program = createProgram(output);
  program.commands.forEach(c => c.exitOverride());
  try {
    await program.parseAsync(argv, { from: 'user' });
    return Number(process.exitCode ?? 0);
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 1;
    // Bad input found by the analyzer (a malformed manifest, an unknown workload) is the user's to fix too.
    if (e instanceof InputError || e instanceof AnalyzerInputError) {
      output.stderr(`cellplane: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
}
