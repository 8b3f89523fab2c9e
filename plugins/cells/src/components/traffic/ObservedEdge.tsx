import { createContext, useContext, useState } from 'react';
import { BaseEdge, EdgeLabelRenderer, EdgeProps, getSmoothStepPath } from '@xyflow/react';
import { useTheme } from '@material-ui/core/styles';
import type { CallEdge } from '../../lib/graph';
import { CLASS_STYLE, ObservedEdgeData } from '../../lib/traffic';
import { trafficColour } from './trafficColour';

/** What clicking an observed edge's label does (CellsGraph: shows its calls in the side panel). */
export const ObservedEdgeSelect = createContext<(edgeId: string) => void>(() => {});

/**
 * An observed call between two drawn nodes: a step path (so it stays apart
 * from the declared grant's curve when both are drawn), its class's colour
 * and dash pattern, and a label with the class's symbol and words (a seen
 * declared call: its symbol) that shows the words and the call count on hover
 * and focus.
 */
export function ObservedEdge({ id, sourceX, sourceY, targetX, targetY, sourcePosition, targetPosition, data, markerEnd }: EdgeProps<CallEdge>) {
  const theme = useTheme();
  const select = useContext(ObservedEdgeSelect);
  const [hovered, setHovered] = useState(false);
  const [path, labelX, labelY] = getSmoothStepPath({ sourceX, sourceY, targetX, targetY, sourcePosition, targetPosition, borderRadius: 12 });
  const observed = data as ObservedEdgeData | undefined;
  if (!observed) return null;
  const style = CLASS_STYLE[observed.trafficClass];
  const colour = trafficColour(theme, observed.trafficClass);
  const calls = `${observed.count} call${observed.count === 1 ? '' : 's'}`;
  return (
    <>
      <BaseEdge id={id} path={path} markerEnd={markerEnd} style={{ stroke: colour, strokeWidth: 2.5, strokeDasharray: style.dash }} />
      <EdgeLabelRenderer>
        <button
          type="button"
          className="nodrag nopan cells-observed-label"
          data-class={observed.trafficClass}
          title={observed.detail}
          aria-label={`${style.words}: ${calls}. ${observed.detail}`}
          onMouseEnter={() => setHovered(true)}
          onMouseLeave={() => setHovered(false)}
          onFocus={() => setHovered(true)}
          onBlur={() => setHovered(false)}
          onClick={() => select(id)}
          style={{
            position: 'absolute',
            // Above the edges' own hover paths (edges into child nodes are raised), so the label takes the click.
            zIndex: 1500,
            transform: `translate(-50%, -50%) translate(${labelX}px, ${labelY}px)`,
            pointerEvents: 'all',
            fontSize: 11,
            padding: '1px 6px',
            borderRadius: 4,
            border: `1.5px solid ${colour}`,
            borderStyle: style.dash ? 'dashed' : 'solid',
            background: theme.palette.background.paper,
            color: theme.palette.text.primary,
            cursor: 'pointer',
            whiteSpace: 'nowrap',
          }}
        >
          <span style={{ color: colour, fontWeight: 700 }}>{style.symbol}</span>
          {/* Declared calls that are made are most edges and need no attention: their symbol alone until hovered. */}
          {observed.trafficClass !== 'declared-seen' || hovered ? ` ${style.words}` : ''}
          {hovered ? ` · ${calls}` : ''}
        </button>
      </EdgeLabelRenderer>
    </>
  );
}

/** Defined once, outside any component, as xyflow asks. */
export const edgeTypes = { observed: ObservedEdge };
