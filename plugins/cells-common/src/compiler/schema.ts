import { Namespace } from 'kubernetes-models/v1/Namespace';
import { Service } from 'kubernetes-models/v1/Service';
import { ServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import { Role } from 'kubernetes-models/rbac.authorization.k8s.io/v1/Role';
import { RoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1/RoleBinding';
import { AuthorizationPolicy } from '@kubernetes-models/istio/security.istio.io/v1/AuthorizationPolicy';
import { RequestAuthentication } from '@kubernetes-models/istio/security.istio.io/v1/RequestAuthentication';
import { PeerAuthentication } from '@kubernetes-models/istio/security.istio.io/v1beta1/PeerAuthentication';
import { ServiceEntry } from '@kubernetes-models/istio/networking.istio.io/v1beta1/ServiceEntry';
import { Gateway } from '@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/Gateway';
import { HTTPRoute } from '@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/HTTPRoute';
import { KubeObject } from './context';
import { structuralError, StructuralSchema } from './structuralSchema';
// The Envoy Gateway CRDs' schemas, written by tools/envoy-gateway-schemas.js from the pinned Go module.
import envoyGatewaySchemas from './schemas/envoyGateway.json';
// Bundled to CommonJS from @kubernetes-models/cilium by tools/bundle-cilium-validator.js (npm install).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { CiliumNetworkPolicy } = require('./generated/ciliumNetworkPolicy.cjs');

type Validatable = { validate(): void };

/** A model class over a CRD schema, for kinds no models package types. */
function structuralModel(key: string): new (data: any) => Validatable {
  const schema = (envoyGatewaySchemas.schemas as Record<string, StructuralSchema>)[key];
  // Like the models packages' classes: an instance is the data (undefined values left out), and validate reads `this`.
  return class {
    constructor(data: unknown) {
      Object.assign(this, JSON.parse(JSON.stringify(data)));
    }
    validate(this: object): void {
      const error = structuralError(schema, { ...this });
      if (error) throw new Error(error);
    }
  };
}

const MODELS: Record<string, new (data: any) => Validatable> = {
  'v1/Namespace': Namespace,
  'v1/Service': Service,
  'v1/ServiceAccount': ServiceAccount,
  'networking.k8s.io/v1/NetworkPolicy': NetworkPolicy,
  'rbac.authorization.k8s.io/v1/Role': Role,
  'rbac.authorization.k8s.io/v1/RoleBinding': RoleBinding,
  'security.istio.io/v1/AuthorizationPolicy': AuthorizationPolicy,
  'security.istio.io/v1/RequestAuthentication': RequestAuthentication,
  'security.istio.io/v1beta1/PeerAuthentication': PeerAuthentication,
  'networking.istio.io/v1beta1/ServiceEntry': ServiceEntry,
  'gateway.networking.k8s.io/v1/Gateway': Gateway,
  'gateway.networking.k8s.io/v1/HTTPRoute': HTTPRoute,
  'cilium.io/v2/CiliumNetworkPolicy': CiliumNetworkPolicy,
  'gateway.envoyproxy.io/v1alpha1/SecurityPolicy': structuralModel('gateway.envoyproxy.io/v1alpha1/SecurityPolicy'),
  'gateway.envoyproxy.io/v1alpha1/BackendTrafficPolicy': structuralModel('gateway.envoyproxy.io/v1alpha1/BackendTrafficPolicy'),
};

/**
 * security.istio.io/v1 PeerAuthentication has the v1beta1 schema unchanged (Istio
 * 1.22 promoted it as is); the models package only ships it as v1beta1.
 */
function asModelVersion(object: KubeObject): KubeObject {
  if (object.kind === 'PeerAuthentication' && object.apiVersion === 'security.istio.io/v1') return { ...object, apiVersion: 'security.istio.io/v1beta1' };
  // Likewise networking.istio.io/v1 (Istio 1.22) kept ServiceEntry's v1beta1 schema.
  if (object.kind === 'ServiceEntry' && object.apiVersion === 'networking.istio.io/v1') return { ...object, apiVersion: 'networking.istio.io/v1beta1' };
  return object;
}

/** A compiled object its kind's real schema refuses: always a compiler bug. */
export class SchemaViolation extends Error {
  constructor(readonly object: KubeObject, reason: string) {
    super(`${object.apiVersion}/${object.kind} ${object.metadata.namespace ?? ''}/${object.metadata.name} fails its schema: ${reason}`);
    this.name = 'SchemaViolation';
  }
}

/** True when some property value anywhere in the object is undefined. */
function holdsUndefined(value: unknown): boolean {
  if (value === undefined) return true;
  if (typeof value !== 'object' || value === null) return false;
  if (Array.isArray(value)) return value.some(holdsUndefined);
  for (const key in value as Record<string, unknown>) if (holdsUndefined((value as Record<string, unknown>)[key])) return true;
  return false;
}

/** Validates against the kind's OpenAPI schema (kubernetes-models, Istio, Gateway API, Cilium CRDs). */
export function validateObject(object: KubeObject): void {
  const data = asModelVersion(object);
  const Model = MODELS[`${data.apiVersion}/${object.kind}`];
  if (!Model) throw new SchemaViolation(object, 'no schema known for this kind');
  try {
    // A model instance is a copy of the data without undefined values; the
    // validator reads it and never writes. Without undefined values the copy is
    // the same data, so the validator runs on the object itself (half the cost).
    if (holdsUndefined(data)) new Model(data).validate();
    else Model.prototype.validate.call(data);
  } catch (e) {
    throw new SchemaViolation(object, e instanceof Error ? e.message : String(e));
  }
}

export const VALIDATED_KINDS = Object.keys(MODELS);
