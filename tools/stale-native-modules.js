#!/usr/bin/env node
/* Prints the npm packages whose addons node-gyp compiled for another Node ABI
   than the one running this script, one name a line, for `npm rebuild`.
   tools/install.sh runs it after switching between the machine's Node and the
   project-local one. node-gyp records the ABI it built for in
   build/config.gypi (loading the addon cannot tell: a mismatch may surface as
   "did not self-register", like a file that is no addon at all). */
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');

const configs = execFileSync('find', ['node_modules', '-path', '*/build/config.gypi'], {
  encoding: 'utf8',
  stdio: ['ignore', 'pipe', 'ignore'],
})
  .split('\n')
  .filter(Boolean);

const stale = new Set();
for (const file of configs) {
  const abi = /"node_module_version":\s*(\d+)/.exec(fs.readFileSync(file, 'utf8'))?.[1];
  if (abi === undefined || abi === process.versions.modules) continue;
  const parts = file.split('/');
  const at = parts.lastIndexOf('node_modules');
  stale.add(parts[at + 1].startsWith('@') ? `${parts[at + 1]}/${parts[at + 2]}` : parts[at + 1]);
}
for (const name of stale) console.log(name);
