import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { EndpointSpec } from '../model/types';
import { ApiProviders, ServedApi, apiRefsOf, describeOperations, servedApis, servedWithin } from './apis';
import type { Declaration } from './catalog';
import { ProblemList } from './fields';
import { EntityLookup, cellOfComponent } from './membership';

/**
 * A declaration narrowed to what its endpoint serves (docs/front-door.md#operations):
 * without an OpenAPI API on the endpoint it is unchanged; with one, it becomes
 * one declaration per path it leaves, each with the methods served there, so
 * every caller (the gateway too) is admitted only to declared operations. A
 * connection's `operations` names operationIds instead. Nothing left is an
 * error on the declaration, and it grants nothing.
 */
export function narrowToServed(list: ProblemList, declaration: Declaration, served: ServedApi | undefined, operationIds?: string[]): Declaration[] {
  const { field } = declaration;
  const where = `endpoint ${declaration.endpoint} of ${declaration.callee}`;
  if (!served) {
    if (!operationIds) return [declaration];
    list.add(
      `${field}.operations`,
      `${where} serves no OpenAPI API, so it has no operationIds`,
      `name methods and paths instead, or have ${declaration.callee} provide an API of spec.type openapi`,
    );
    return [];
  }
  // An invalid document admits nothing; its own problem (on the provider) says why.
  if (!served.valid) return [];
  let operations = served.operations;
  if (operationIds) {
    const unknown = operationIds.filter(id => !operations.some(o => o.operationId === id));
    if (unknown.length > 0) {
      const ids = operations.flatMap(o => (o.operationId ? [o.operationId] : []));
      list.add(
        `${field}.operations`,
        `${served.refs.join(', ')} has no operation ${unknown.map(u => JSON.stringify(u)).join(', ')}`,
        `name one of: ${ids.join(', ') || '(none has an operationId)'}`,
      );
      return [];
    }
    operations = operations.filter(o => o.operationId && operationIds.includes(o.operationId));
  }
  const left = servedWithin(operations, operationIds ? undefined : declaration.methods, operationIds ? undefined : declaration.paths);
  if (left.length === 0) {
    list.add(
      field,
      `its methods and paths admit none of the operations ${served.refs.join(', ')} serves on ${where}`,
      `name served ones (${describeOperations(served.operations)}), e.g. with operations: [<operationId>]`,
    );
    return [];
  }
  return left.map(({ path, methods }) => ({ ...declaration, methods, paths: [path] }));
}

/**
 * `spec.consumesApis` of a cell component: a call to each provider of the API
 * that is a cell component, on the endpoint serving it, for every operation of
 * the API (the Backstage-native way to declare a call). An API no cell
 * component provides is not Cellplane's to open; an API that is not in the
 * catalog is an error.
 */
export function consumedApiDeclarations(
  list: ProblemList,
  entity: Entity,
  ref: string,
  ownCell: string,
  lookup: EntityLookup,
  providers: ApiProviders,
  endpointsOf: (entity: Entity) => EndpointSpec[],
  admits: (endpoint: EndpointSpec, callerCell: string, calleeCell: string) => boolean,
): Declaration[] {
  const out: Declaration[] = [];
  for (const { ref: apiRef, index, raw } of apiRefsOf(entity, 'consumesApis')) {
    const field = `spec.consumesApis[${index}]`;
    if (!apiRef) {
      list.add(field, `${JSON.stringify(raw)} is not an entity ref`, 'write an API ref such as "my-api" or "api:default/my-api"');
      continue;
    }
    if (!lookup(apiRef)) {
      list.add(field, `${apiRef} is not in the catalog`, 'register the API entity, or remove it from consumesApis');
      continue;
    }
    for (const provider of providers(apiRef)) {
      const providerEntity = lookup(provider);
      const callee = providerEntity && stringifyEntityRef(providerEntity);
      if (!providerEntity || !callee || callee === ref) continue;
      const providerCell = cellOfComponent(providerEntity, lookup);
      if (!providerCell) continue;
      const endpoints = endpointsOf(providerEntity);
      const { byEndpoint } = servedApis(providerEntity, endpoints, lookup);
      const served = [...byEndpoint.entries()].find(([, s]) => s.refs.includes(apiRef));
      if (!served) continue; // not an OpenAPI API, or its provider's own problem names why it has no endpoint
      const endpoint = endpoints.find(e => e.name === served[0])!;
      if (!admits(endpoint, ownCell, providerCell)) {
        list.add(
          field,
          `${apiRef} is served by endpoint ${endpoint.name} of ${callee}, visible only inside ${providerCell}; ${ref} is in ${ownCell}`,
          `ask the owners of ${callee} to make the endpoint organization-visible, or stop consuming the API`,
        );
        continue;
      }
      const declaration: Declaration = { caller: { kind: 'component', ref }, callee, endpoint: endpoint.name, declaredBy: ref, field };
      out.push(...narrowToServed(list, declaration, served[1]));
    }
  }
  return out;
}
