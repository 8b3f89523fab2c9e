/*
 * The Cellplane portal backend (Backstage new backend system).
 *
 * Lean on purpose: the catalog (with the Cellplane cell validation module),
 * guest sign-in, permissions (the Cellplane policy), the proxy, the cells
 * backend, the scaffolder with Cellplane's actions and GitHub publishing, and
 * app-backend, which serves the built frontend from packages/app/dist.
 */
import { createBackend } from '@backstage/backend-defaults';
import { permissionPolicyModule } from './modules/permissionPolicy';

const backend = createBackend();

backend.add(import('@backstage/plugin-app-backend'));
backend.add(import('@backstage/plugin-proxy-backend'));

// auth: guest sign-in for the local portal, GitHub in production
// (configured in app-config.production.yaml)
backend.add(import('@backstage/plugin-auth-backend'));
backend.add(import('@backstage/plugin-auth-backend-module-guest-provider'));
backend.add(import('@backstage/plugin-auth-backend-module-github-provider'));

// catalog
backend.add(import('@backstage/plugin-catalog-backend'));
backend.add(import('@backstage/plugin-catalog-backend-module-scaffolder-entity-model'));
// logs catalog processing errors (including Cellplane's) to the backend log
backend.add(import('@backstage/plugin-catalog-backend-module-logs'));
// Cellplane: validates cells (Systems with spec.cell) and their Components
backend.add(import('@cellplane/plugin-catalog-backend-module-cells'));

// Cellplane: reconciles cells into manifests (GitOps folder or clusters), REST API under /api/cells
backend.add(import('@cellplane/plugin-cells-backend'));

// scaffolder: the create page's templates; Cellplane's actions create cells,
// services and connections (checked against the catalog, access diff previewed)
backend.add(import('@backstage/plugin-scaffolder-backend'));
backend.add(import('@cellplane/plugin-scaffolder-backend-module-cells'));
// publish:github:pull-request, the templates' production publish (a GitHub
// integration with a token: integrations.github in app-config.production.yaml)
backend.add(import('@backstage/plugin-scaffolder-backend-module-github'));

// permissions
backend.add(import('@backstage/plugin-permission-backend'));
// Cellplane's policy: everyone signed in reads; a cell's owner or an admin group reconciles
backend.add(permissionPolicyModule);

backend.start();
