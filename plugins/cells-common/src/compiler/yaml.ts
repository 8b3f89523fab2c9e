import { stringify } from 'yaml';
import { KubeObject } from './context';

/** Multi-document YAML, byte-stable for the same objects. */
export function toYaml(objects: KubeObject[]): string {
  return objects.map(o => stringify(o, { lineWidth: 0, sortMapEntries: false })).join('---\n');
}
