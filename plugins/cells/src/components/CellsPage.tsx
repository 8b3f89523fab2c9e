import { ReactFlowProvider } from '@xyflow/react';
import Typography from '@material-ui/core/Typography';
import { useSearchParams } from 'react-router-dom';
import { useApi } from '@backstage/frontend-plugin-api';
import { cellsApiRef } from '../api/CellsApi';
import { CellsGraph } from './CellsGraph';
import { EmptyState } from './EmptyState';
import { ErrorNote } from './ErrorNote';
import { useAsync } from './useAsync';

/** Loads the topology of the environment in the URL and draws it (or says why not). */
export function CellsTopology({ fixedCell }: { fixedCell?: string }) {
  const api = useApi(cellsApiRef);
  const [params, setParams] = useSearchParams();
  const environment = params.get('environment') ?? undefined;
  const topology = useAsync(() => api.getTopology(environment), [api, environment]);
  if (topology.error) return <ErrorNote error={topology.error} what="the cell topology" />;
  if (!topology.value) return <Typography>Loading cells…</Typography>;
  if (topology.value.cells.length === 0) return <EmptyState />;
  return (
    <ReactFlowProvider>
      <CellsGraph
        topology={topology.value}
        fixedCell={fixedCell}
        onEnvironmentChange={env =>
          setParams(prev => {
            const next = new URLSearchParams(prev);
            next.set('environment', env);
            return next;
          })
        }
      />
    </ReactFlowProvider>
  );
}

/** The `/cells` page (the app's page header above it already says "Cells"). */
export function CellsPage() {
  return (
    <div style={{ padding: '0 16px 16px', height: 'calc(100vh - 96px)', boxSizing: 'border-box' }}>
      <CellsTopology />
    </div>
  );
}
