import { createRouteRef } from '@backstage/frontend-plugin-api';

export const rootRouteRef = createRouteRef();

/** `/cells/portfolio`: every cell's verification and evidence in one table. */
export const portfolioRouteRef = createRouteRef();
