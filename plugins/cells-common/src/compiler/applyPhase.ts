import { APPLY_PHASE_ANNOTATION } from '../labels/keys';
import { KubeObject } from './context';

/*
 * The annotation APPLY_PHASE_ANNOTATION says in which phase a target applies
 * an object. The compiler sets it where it builds the object, so no target has
 * to guess it from kinds or names, and it travels with the object into files,
 * the store and the cluster (where pruning reads it back).
 */

/**
 * The phases in apply order; each starts once the one before it is in place,
 * so a cell is never wide open and its declared calls never break midway:
 * `namespace`; `identity` (service accounts, Services, RBAC: what the
 * policies select and name); `allow` (allow rules, the waypoint, routes);
 * `restrict` (rules that deny by default or narrow who may connect:
 * default-deny, allow-nothing, waypoint-only, strict mTLS).
 */
export const APPLY_PHASES = ['namespace', 'identity', 'allow', 'restrict'] as const;
export type ApplyPhase = (typeof APPLY_PHASES)[number];

/** The object tagged with a phase. */
function tagged(phase: ApplyPhase, o: KubeObject): KubeObject {
  return { ...o, metadata: { ...o.metadata, annotations: { ...o.metadata.annotations, [APPLY_PHASE_ANNOTATION]: phase } } };
}

/** Tags each object with `phase`, unless its module already tagged it. */
export function inPhase(phase: ApplyPhase, objects: KubeObject[]): KubeObject[] {
  return objects.map(o => (applyPhaseOf(o) ? o : tagged(phase, o)));
}

/** Marks an object that denies by default or narrows who may connect: applied last, after the allow rules. */
export function restricting(o: KubeObject): KubeObject {
  return tagged('restrict', o);
}

/** The phase an object was tagged with, if it carries a known one. */
export function applyPhaseOf(o: { metadata?: { annotations?: Record<string, string> } }): ApplyPhase | undefined {
  const value = o.metadata?.annotations?.[APPLY_PHASE_ANNOTATION];
  return (APPLY_PHASES as readonly string[]).includes(value ?? '') ? (value as ApplyPhase) : undefined;
}
