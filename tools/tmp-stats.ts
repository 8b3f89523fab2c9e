import { generateCiliumCluster } from '../plugins/cells-common/src/testing/cilium/generator';
import { askCilium } from './cilium-oracle/run';
(async () => {
  const bin = require('node:fs').readdirSync(require('node:os').homedir() + '/.cache/cellplane/cilium-oracle').map((d: string) => `${require('node:os').homedir()}/.cache/cellplane/cilium-oracle/${d}/cilium-oracle`)[0];
  const clusters = Array.from({ length: 200 }, (_, i) => generateCiliumCluster(i + 1));
  let ones = 0, zeros = 0, rejected = 0; const reasons: string[] = [];
  await askCilium(bin, clusters, (c, v) => {
    rejected += v.rejected.length;
    for (const p of v.verdicts ?? []) for (const row of p.allowed) for (const ch of row) { if (ch === '1') ones++; if (ch === '0') zeros++; }
  });
  console.log({ ones, zeros, rejected });
})();
