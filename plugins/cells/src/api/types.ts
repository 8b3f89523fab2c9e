/**
 * The cells backend's REST API types, generated from its OpenAPI document
 * (plugins/cells-backend/src/schema/openapi.yaml) into ../schema/openapi:
 * the one definition of what the API sends and accepts. The frontend imports
 * them from here.
 */
export * from '../schema/openapi/generated/models';
