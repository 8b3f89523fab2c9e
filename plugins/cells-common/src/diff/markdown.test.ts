import { AccessChange } from '../api/types';
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
const database: AccessChange = { from: 'rogue:kennedy', to: 'kennedy/db', port: 5432, layer: null, text: 'rogue:kennedy may no longer connect to port 5432 of kennedy/db' };

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
        '| | From | To | Port | Method | Path | Layer | Policies |',
        '|---|---|---|---:|---|---|---|---|',
        '| ➕ allowed | `houston/capcom` | `orion/comms-system` | `8080` | `POST` | `/uplink` | `L7` | `ns-orion/comms-system, ns-orion/comms-system-waypoint-only` |',
        '| ➖ denied | `rogue:kennedy` | `kennedy/db` | `5432` |  |  |  |  |',
        '',
      ].join('\n'),
    );
  });

  it('escapes what would break the table: a pipe or a backslash in a path', () => {
    const odd = { ...uplink, path: '/a|b\\c' };
    expect(accessDiffMarkdown({ added: [odd], removed: [] }, { title: 't' })).toContain('| `/a\\|b\\\\c` |');
  });
});
