import type { BlastRadiusResponse, Reach } from '../../api/types';
import { egressText } from '../../lib/graph';

function reachText(r: Reach) {
  const methods = r.methods?.length ? r.methods.join(', ') : 'any method';
  const paths = r.paths?.length ? r.paths.join(', ') : 'any path';
  return `${r.component} ${r.endpoint} (port ${r.port}): ${methods} ${paths}`;
}

/** A blast radius in words, above the side panel: what the source may reach, and what may reach it. */
export function BlastRadiusSummary({ response, className }: { response: BlastRadiusResponse; className?: string }) {
  return (
    <div className={className} aria-label="blast radius" data-testid="blast-radius">
      <strong>
        {response.from.startsWith('rogue:') ? `If a rogue pod runs in ${response.from.slice('rogue:'.length)}` : `If ${response.from} is compromised`}
      </strong>
      <div>It may reach {response.reaches.length === 0 ? 'nothing' : ''}</div>
      <ul style={{ margin: 0 }}>
        {response.reaches.map(r => (
          <li key={reachText(r)}>{reachText(r)}</li>
        ))}
      </ul>
      {(response.egress ?? []).length > 0 && <div>Outside the cluster it may reach</div>}
      <ul style={{ margin: 0 }} aria-label="egress reach">
        {(response.egress ?? []).map(r => (
          <li key={egressText(r)}>{egressText(r)}</li>
        ))}
      </ul>
      <div>Reached by {response.reachedBy.length === 0 ? 'nobody' : ''}</div>
      <ul style={{ margin: 0 }}>
        {response.reachedBy.map(r => (
          <li key={reachText(r)}>{reachText(r)}</li>
        ))}
      </ul>
    </div>
  );
}
