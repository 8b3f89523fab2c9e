import { run } from '../program';

/** Runs the real `cellplane` program in-process and captures what it prints. */
export async function cellplane(...argv: string[]) {
  let stdout = '';
  let stderr = '';
  process.exitCode = undefined;
  const code = await run(argv, { stdout: t => void (stdout += t), stderr: t => void (stderr += t) });
  process.exitCode = undefined;
  return { code, stdout, stderr };
}
