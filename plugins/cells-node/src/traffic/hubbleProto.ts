/**
 * Hubble's Observer gRPC API, from the descriptor tools/hubble-protos.js
 * generates out of cilium/cilium's own .proto files (generated/observer.cjs).
 */
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { HubbleRecord } from '@cellplane/cells-common';

// From the package root, which is two folders up from both src/traffic and the built dist/traffic:
// the build leaves this require as it is and does not copy the descriptor, so the
// package ships src/traffic/generated (package.json "files") and both find it there.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const descriptor = require('../../src/traffic/generated/observer.cjs');

/** Messages as plain objects with the proto field names, enums by name, 64-bit integers as strings. */
export const LOADER_OPTIONS: protoLoader.Options = { keepCase: true, enums: String, longs: String, defaults: false, oneofs: true };

let loaded: grpc.GrpcObject | undefined;

/** The `observer` package: `Observer` is its service client constructor (and `.service` its definition). */
export function observerPackage(): { Observer: grpc.ServiceClientConstructor } {
  loaded ??= grpc.loadPackageDefinition(protoLoader.fromJSON(descriptor, LOADER_OPTIONS));
  return loaded.observer as unknown as { Observer: grpc.ServiceClientConstructor };
}

export interface Timestamp {
  seconds: string | number;
  nanos?: number;
}

export function toTimestamp(ms: number): Timestamp {
  return { seconds: Math.floor(ms / 1000), nanos: (ms % 1000) * 1_000_000 };
}

/** RFC 3339 with nanoseconds, as protojson writes a Timestamp. */
export function timestampToIso(t: Timestamp): string {
  const seconds = Number(t.seconds);
  const nanos = t.nanos ?? 0;
  const base = new Date(seconds * 1000).toISOString().slice(0, 19);
  return `${base}.${String(nanos).padStart(9, '0')}Z`;
}

function isoToTimestamp(iso: string): Timestamp {
  const m = /^(.*?)(?:\.(\d{1,9}))?Z$/.exec(iso);
  const seconds = Math.floor(Date.parse(`${m?.[1] ?? iso}Z`) / 1000);
  return { seconds, nanos: m?.[2] ? Number(m[2].padEnd(9, '0')) : 0 };
}

/**
 * A GetFlowsResponse as decoded by gRPC, in the shape `hubble observe -o
 * jsonpb` prints (protojson): Timestamps as RFC 3339 text, BoolValue unwrapped.
 * The fields the normaliser reads are the ones converted.
 */
export function responseToJsonpb(message: any): HubbleRecord {
  const out: any = { ...message };
  if (message.time) out.time = timestampToIso(message.time);
  if (message.flow) {
    const flow = { ...message.flow };
    if (flow.time) flow.time = timestampToIso(flow.time);
    if (flow.is_reply && typeof flow.is_reply === 'object') flow.is_reply = Boolean(flow.is_reply.value);
    out.flow = flow;
  }
  delete out.response_types;
  return out;
}

/** The reverse, for the test server that replays recorded exports over the real API. */
export function jsonpbToResponse(record: HubbleRecord): any {
  const out: any = { ...record };
  if (record.time) out.time = isoToTimestamp(record.time);
  if (record.flow) {
    const flow: any = { ...record.flow };
    if (flow.time) flow.time = isoToTimestamp(flow.time);
    if (typeof flow.is_reply === 'boolean') flow.is_reply = { value: flow.is_reply };
    out.flow = flow;
  }
  const lost = record.lost_events as { cpu?: number } | undefined;
  if (lost && typeof lost.cpu === 'number') out.lost_events = { ...lost, cpu: { value: lost.cpu } };
  return out;
}
