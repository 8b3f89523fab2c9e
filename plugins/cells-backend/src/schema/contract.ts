import type * as Target from '@cellplane/plugin-cells-node';
import type * as Api from './types';

/*
 * What targets report (@cellplane/plugin-cells-node, the contract module
 * authors implement) is served by the REST API as it is, so the hand-written
 * target types and the types generated from openapi.yaml must be the same
 * shapes. These assertions fail the type check when either side changes
 * alone. Types only: nothing here runs.
 */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Assert<T extends true> = T;

export type ContractChecks = [
  Assert<Same<Target.CellState, Api.CellState>>,
  Assert<Same<Target.ObjectState, Api.ObjectState>>,
  Assert<Same<Target.ObjectRef, Api.ObjectRef>>,
  Assert<Same<Target.ObjectStatus, Api.ObjectStatus>>,
  Assert<Same<Target.TargetDescription, Api.TargetDescription>>,
];
