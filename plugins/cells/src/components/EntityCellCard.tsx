import Card from '@material-ui/core/Card';
import CardContent from '@material-ui/core/CardContent';
import CardHeader from '@material-ui/core/CardHeader';
import Typography from '@material-ui/core/Typography';
import { useTheme } from '@material-ui/core/styles';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { useApi } from '@backstage/frontend-plugin-api';
import { useEntity } from '@backstage/plugin-catalog-react';
import { cellsApiRef } from '../api/CellsApi';
import { grantText, protectionText } from '../lib/graph';
import { ErrorNote } from './ErrorNote';
import { stateColour, stateWord } from './status';
import { useAsync } from './useAsync';

/** On a Component in a cell: its cell's state, its protection, and its calls in and out. */
export function EntityCellCard() {
  const { entity } = useEntity();
  const entityRef = stringifyEntityRef(entity);
  const api = useApi(cellsApiRef);
  const theme = useTheme();
  const topology = useAsync(() => api.getTopology(), [api]);
  const component = topology.value?.components.find(c => c.entityRef === entityRef);
  const cell = topology.value?.cells.find(c => c.entityRef === component?.cell);
  const callsIn = topology.value?.edges.filter(e => e.to === entityRef) ?? [];
  const callsOut = topology.value?.edges.filter(e => e.from === entityRef) ?? [];
  return (
    <Card>
      <CardHeader title="Cell" subheader={cell ? `${cell.title} (${topology.value?.environment})` : undefined} />
      <CardContent>
        {topology.error && <ErrorNote error={topology.error} what="the cell topology" />}
        {topology.value && !component && <Typography variant="body2">This component is in no cell of {topology.value.environment}.</Typography>}
        {component && cell && (
          <>
            <Typography variant="body2">
              State: <span style={{ color: stateColour(theme, cell.state), fontWeight: 600 }}>{stateWord(cell.state)}</span>
              {cell.message ? ` (${cell.message})` : ''}
            </Typography>
            <Typography variant="body2">{protectionText(component)}</Typography>
            <Typography variant="subtitle2" style={{ marginTop: 8 }}>
              Calls in
            </Typography>
            <ul aria-label="calls in" style={{ margin: 0 }}>
              {callsIn.length === 0 && <li>none</li>}
              {callsIn.map(g => (
                <li key={grantText(g)}>{grantText(g)}</li>
              ))}
            </ul>
            <Typography variant="subtitle2" style={{ marginTop: 8 }}>
              Calls out
            </Typography>
            <ul aria-label="calls out" style={{ margin: 0 }}>
              {callsOut.length === 0 && <li>none</li>}
              {callsOut.map(g => (
                <li key={grantText(g)}>{grantText(g)}</li>
              ))}
            </ul>
          </>
        )}
      </CardContent>
    </Card>
  );
}
