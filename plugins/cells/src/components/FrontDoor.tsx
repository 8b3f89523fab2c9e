import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import type { TopologyComponent, TopologyResponse } from '../api/types';
import { GATEWAY_ID } from '../lib/graph';
import { PublicEndpoint, authText, gatewayEndpoints, operationsText, rateLimitText } from '../lib/frontDoor';

const useStyles = makeStyles(theme => ({
  section: { marginTop: theme.spacing(2) },
  list: { margin: 0, paddingLeft: theme.spacing(2.5), fontSize: 13 },
  term: { fontWeight: 600 },
}));

function EndpointFrontDoor({ entry, named }: { entry: PublicEndpoint; named: boolean }) {
  const classes = useStyles();
  const { component, endpoint } = entry;
  const title = named ? `${component.title ?? component.name} · ${endpoint.name} (port ${endpoint.port})` : `${endpoint.name} (port ${endpoint.port})`;
  return (
    <li aria-label={`front door of ${component.entityRef}:${endpoint.name}`}>
      {title}
      <div>
        <span className={classes.term}>Authentication:</span> {authText(endpoint.auth)}
      </div>
      <div>
        <span className={classes.term}>Rate limit:</span> {rateLimitText(endpoint.rateLimit)}
      </div>
      <div>
        <span className={classes.term}>Operations:</span> {operationsText(endpoint)}
      </div>
    </li>
  );
}

/**
 * The front door of a component's public endpoints (docs/front-door.md): who
 * may call through the external gateway, how often, and what they serve.
 * Nothing for a component without one.
 */
export function ComponentFrontDoor({ component }: { component: TopologyComponent }) {
  const classes = useStyles();
  const endpoints = component.endpoints.filter(e => e.visibility === 'public');
  if (endpoints.length === 0) return null;
  return (
    <div className={classes.section}>
      <Typography variant="subtitle2">Front door (through the external gateway)</Typography>
      <ul className={classes.list} aria-label="front door">
        {endpoints.map(endpoint => (
          <EndpointFrontDoor key={endpoint.name} entry={{ component, endpoint }} named={false} />
        ))}
      </ul>
    </div>
  );
}

/** The gateway's side: the front door of every public endpoint it routes to. */
export function GatewayFrontDoor({ topology }: { topology: TopologyResponse }) {
  const classes = useStyles();
  const endpoints = gatewayEndpoints(
    topology.components,
    topology.edges.filter(e => e.from === GATEWAY_ID),
  );
  return (
    <div className={classes.section}>
      <Typography variant="subtitle2">Front doors</Typography>
      <ul className={classes.list} aria-label="front door">
        {endpoints.length === 0 && <li>no public endpoint</li>}
        {endpoints.map(entry => (
          <EndpointFrontDoor key={`${entry.component.entityRef} ${entry.endpoint.name}`} entry={entry} named />
        ))}
      </ul>
    </div>
  );
}
