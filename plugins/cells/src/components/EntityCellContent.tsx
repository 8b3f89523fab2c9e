import Grid from '@material-ui/core/Grid';
import Paper from '@material-ui/core/Paper';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableRow from '@material-ui/core/TableRow';
import Typography from '@material-ui/core/Typography';
import { useTheme } from '@material-ui/core/styles';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { useApi } from '@backstage/frontend-plugin-api';
import { useEntity } from '@backstage/plugin-catalog-react';
import { cellsApiRef } from '../api/CellsApi';
import { CellsTopology } from './CellsPage';
import { ErrorNote } from './ErrorNote';
import { EvidenceDownload } from './EvidenceDownload';
import { CellHistory, Drift, Manifests } from './SidePanel';
import { stateColour, stateWord } from './status';
import { useAsync } from './useAsync';

/** The "Cell" tab of a System that is a cell: topology, status, compliance, manifests, history. */
export function EntityCellContent() {
  const { entity } = useEntity();
  const entityRef = stringifyEntityRef(entity);
  const api = useApi(cellsApiRef);
  const theme = useTheme();
  const detail = useAsync(() => api.getCell(entityRef), [api, entityRef]);
  if (detail.error) return <ErrorNote error={detail.error} what="this cell" />;
  if (!detail.value) return <Typography>Loading the cell…</Typography>;
  const cell = detail.value;
  const c = cell.compliance;
  return (
    <Grid container spacing={2}>
      <Grid item xs={12} md={6}>
        <Paper style={{ padding: 16 }}>
          <Typography variant="h6">Status</Typography>
          <Table size="small" aria-label="state per environment">
            <TableBody>
              {cell.environments.map(env => (
                <TableRow key={env.environment}>
                  <TableCell>{env.environment}</TableCell>
                  <TableCell>{env.namespace}</TableCell>
                  <TableCell>
                    <span style={{ color: stateColour(theme, env.state), fontWeight: 600 }}>{stateWord(env.state)}</span>
                    {env.message ? ` (${env.message})` : ''}
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
          {cell.problems.length > 0 && (
            <ul aria-label="problems">
              {cell.problems.map(p => (
                <li key={`${p.entityRef} ${p.field}`}>
                  {p.entityRef} {p.field}: {p.message} Fix: {p.fix}
                </li>
              ))}
            </ul>
          )}
        </Paper>
      </Grid>
      <Grid item xs={12} md={6}>
        <Paper style={{ padding: 16 }} aria-label="compliance summary">
          <Typography variant="h6">Compliance</Typography>
          <Typography variant="body2">
            {c.protectedL3L4}/{c.components} components protected at L3/L4, {c.protectedMtls}/{c.components} with mTLS, {c.protectedL7}/{c.components} at L7;{' '}
            {c.wildcardPrincipals} wildcard principals; {c.violations} of {c.requestsChecked} checked requests decided differently from the catalog
            {c.lastVerifiedAt ? ` (verified ${new Date(c.lastVerifiedAt).toLocaleString()})` : ''}.
          </Typography>
          <Typography variant="subtitle2" style={{ marginTop: 16, marginBottom: 8 }}>
            Download evidence (register of allowed flows, data-flow diagram, matrices, verification)
          </Typography>
          <EvidenceDownload entityRef={entityRef} />
        </Paper>
      </Grid>
      <Grid item xs={12} style={{ height: 640 }}>
        <CellsTopology fixedCell={entityRef} />
      </Grid>
      <Grid item xs={12} md={6}>
        <Paper style={{ padding: 16 }}>
          <Typography variant="h6">Manifests</Typography>
          <Manifests cellRef={entityRef} environments={cell.environments.map(e => e.environment)} />
          <Typography variant="subtitle2" style={{ marginTop: 16 }}>
            Drift
          </Typography>
          <Drift cellRef={entityRef} />
        </Paper>
      </Grid>
      <Grid item xs={12} md={6}>
        <Paper style={{ padding: 16 }}>
          <Typography variant="h6">History</Typography>
          <CellHistory entityRef={entityRef} />
        </Paper>
      </Grid>
    </Grid>
  );
}
