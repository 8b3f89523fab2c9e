import { RefObject, useCallback, useEffect, useMemo, useState } from 'react';
import type { FitViewOptions, Viewport } from '@xyflow/react';
import { initialView, LABEL_MIN_ZOOM } from '../../lib/view';
import type { LaidOutGraph } from './useGraphLayout';

/** The part of xyflow's instance the view drives (useReactFlow()). */
export interface ViewControl {
  fitView(options?: FitViewOptions): Promise<boolean>;
}

/** A node's element on the canvas (large graphs render only the nodes in view). */
export const nodeElement = (id: string) => document.querySelector<HTMLElement>(`.react-flow__node[data-id="${CSS.escape(id)}"]`);

/** How many animation frames a zoomed-to node may take to appear before focus gives up. */
const FOCUS_FRAMES = 30;

export interface GraphView {
  /** xyflow's fitViewOptions: only the first layout's view counts (xyflow fits once, when the graph first draws). */
  initialFit?: FitViewOptions;
  /** Below LABEL_MIN_ZOOM: edges drop their labels. */
  zoomedOut: boolean;
  onMove(event: unknown, viewport: Viewport): void;
  /** Zooms to a node once a layout containing it is drawn, then gives it keyboard focus. */
  focusOn(ref: string): void;
}

/**
 * Where the canvas looks: the first view (initialView), a fit to the new
 * graph when the owner or cell filter changes, and a zoom to a node the user
 * searched for or expanded (which moves in a packed layout).
 */
export function useGraphView({
  flow,
  laidOut,
  current,
  filters,
  canvasRef,
}: {
  flow: ViewControl;
  laidOut?: LaidOutGraph;
  /** The layout shown is of the graph asked for (not an older one). */
  current: boolean;
  /** The filters in effect: a change fits the view to what the next layout draws. */
  filters: string;
  canvasRef?: RefObject<HTMLElement>;
}): GraphView {
  const [zoomedOut, setZoomedOut] = useState(false);
  const [focusTarget, setFocusTarget] = useState<string>();
  const [refit, setRefit] = useState(false);
  const [lastFilters, setLastFilters] = useState(filters);
  if (filters !== lastFilters) {
    setLastFilters(filters);
    setRefit(true);
  }
  const canvasSize = () => {
    const box = canvasRef?.current?.getBoundingClientRect();
    return box && box.width > 0 && box.height > 0 ? { width: box.width, height: box.height } : undefined;
  };

  useEffect(() => {
    if (!refit || !laidOut || !current) return;
    setRefit(false);
    flow.fitView(initialView(laidOut.nodes, laidOut.mode, canvasSize()));
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [refit, laidOut, current, flow]);

  useEffect(() => {
    if (!focusTarget || !laidOut?.nodes.some(n => n.id === focusTarget)) return;
    const target = focusTarget;
    const focus = (framesLeft: number) => {
      const element = nodeElement(target);
      if (element) element.focus();
      else if (framesLeft > 0) requestAnimationFrame(() => focus(framesLeft - 1));
    };
    flow.fitView({ nodes: [{ id: target }], duration: 400, maxZoom: 1.2 }).then(() => focus(FOCUS_FRAMES));
    setFocusTarget(undefined);
  }, [focusTarget, laidOut, flow]);

  const initialFit = useMemo(
    () => (laidOut ? initialView(laidOut.nodes, laidOut.mode, canvasSize()) : undefined),
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [laidOut === undefined],
  );
  const onMove = useCallback((_: unknown, viewport: Viewport) => setZoomedOut(viewport.zoom < LABEL_MIN_ZOOM), []);
  return { initialFit, zoomedOut, onMove, focusOn: setFocusTarget };
}
