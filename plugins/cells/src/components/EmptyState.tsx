import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';

const useStyles = makeStyles(theme => ({
  root: { padding: theme.spacing(4), maxWidth: 760 },
  code: {
    fontFamily: 'monospace',
    fontSize: 13,
    whiteSpace: 'pre',
    padding: theme.spacing(2),
    background: theme.palette.type === 'dark' ? '#111' : '#f5f5f5',
    overflowX: 'auto',
  },
}));

const SNIPPET = `apiVersion: backstage.io/v1alpha1
kind: System
metadata:
  name: houston
spec:
  owner: group:default/ground
  cell:
    environments: [development]
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: capcom
spec:
  type: service
  lifecycle: production
  owner: group:default/ground
  system: houston
  endpoints:
    - { name: http, port: 8080, protocol: HTTP, visibility: project }
  connections:
    - { to: flight-director, endpoint: http, methods: [POST], paths: [/voice-loop] }`;

/**
 * Shown when the catalog has no cells yet: how to declare the first one. With
 * `checkingEverySeconds`, also that the page keeps asking (a portal that has
 * just started may still be ingesting its catalog for the first reconcile).
 */
export function EmptyState({ checkingEverySeconds }: { checkingEverySeconds?: number }) {
  const classes = useStyles();
  return (
    <div className={classes.root} role="status">
      <Typography variant="h5" gutterBottom>
        No cells yet
      </Typography>
      {checkingEverySeconds !== undefined && (
        <Typography paragraph color="textSecondary">
          The cells backend has no cells to show. A portal that has just started may still be ingesting its catalog and running its first reconcile: this page
          checks again every {checkingEverySeconds} seconds.
        </Typography>
      )}
      <Typography paragraph>
        A cell is a System with <code>spec.cell</code>; its Components declare endpoints and the calls they make (<code>spec.connections</code>). Add a catalog
        file like this one, register it in the catalog, and the cell appears here with its allowed calls once the cells backend has compiled it.
      </Typography>
      <div className={classes.code} aria-label="example catalog file">
        {SNIPPET}
      </div>
    </div>
  );
}
