export { createSimulation, podKey, ROGUE_SERVICE_ACCOUNT } from './simulation';
export type { Simulation } from './simulation';
export { simulateRequest, calleeEndpoint } from './simulate';
export type { SimulatedRequest, SimulatedCaller, SimulationResult } from './simulate';
export { verifySimulation, formatViolation } from './verify';
export type { VerifyReport, Violation } from './verify';
export { catalogAllows } from './oracle';
export type { CatalogCaller, CatalogOperation } from './oracle';
