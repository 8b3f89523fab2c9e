import { run } from './program';

// `cellplane render ... | head` closes the pipe early; that is not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

run(process.argv.slice(2)).then(
  code => {
    process.exitCode = code;
  },
  error => {
    process.stderr.write(`cellplane: internal error: ${error?.stack ?? error}\n`);
    process.exitCode = 2;
  },
);
