/**
 * The REST API's types, generated from openapi.yaml into ./openapi (the
 * models of the contract; `npm run openapi:generate`). The backend's routes,
 * service, store and targets speak these.
 */
export * from './openapi/generated/models';
