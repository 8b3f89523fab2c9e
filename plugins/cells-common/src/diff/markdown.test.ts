import { AccessChange } from './diffAccess';
import { accessDiffMarkdown } from './markdown';

const uplink: AccessChange = {
  from: 'houston/capcom',
  to: 'orion/comms-system',
  port: 8080,
  method: 'POST',
  path: '/uplink',
  layer: 'L7',
  policies: ['ns-orion/comms-system', 'ns-orion/comms-system-waypoint-only'],
  text: 'houston/capcom may now POST /uplink on orion/comms-system',
};
const database: AccessChange = {
  from: 'rogue:kennedy',
  to: 'kennedy/db',
  port: 5432,
  layer: null,
  text: 'rogue:kennedy may no longer connect to port 5432 of kennedy/db',
};

describe('accessDiffMarkdown', () => {
  it('says so when no request changes its verdict', () => {
    expect(accessDiffMarkdown({ added: [], removed: [] }, { title: 'Access changes (development)' })).toBe(
      '### Access changes (development): 0 newly allowed, 0 no longer allowed\n\nNo request changes its verdict.\n',
    );
  });

  it('lists newly allowed requests first, one table row each, empty cells for what a request lacks', () => {
    expect(accessDiffMarkdown({ added: [uplink], removed: [database] }, { title: 'Access in development after this change' })).toBe(
      [
        '### Access in development after this change: 1 newly allowed, 1 no longer allowed',
        '',
        '| Change | Request | Port | Layer | Policies |',
        '|---|---|---:|---|---|',
        '| Newly allowed | houston/capcom may now POST /uplink on orion/comms-system | `8080` | `L7` | `ns-orion/comms-system`, `ns-orion/comms-system-waypoint-only` |',
        '| No longer allowed | rogue:kennedy may no longer connect to port 5432 of kennedy/db | `5432` |  |  |',
        '',
      ].join('\n'),
    );
  });

  it('escapes what Markdown would read as markup or a cell boundary', () => {
    const wild = { ...uplink, path: '/v1/*', text: 'houston/capcom may now GET /v1/* and /a|b_c on orion/comms-system', policies: ['a|b'] };
    const out = accessDiffMarkdown({ added: [wild], removed: [] }, { title: 't' });
    expect(out).toContain('| Newly allowed | houston/capcom may now GET /v1/\\* and /a\\|b\\_c on orion/comms-system |');
    expect(out).toContain('| `a\\|b` |');
  });
});
