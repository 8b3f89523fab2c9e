import { dump } from 'js-yaml';
import { KubeObject } from './context';

/**
 * Multi-document YAML, byte-stable for the same objects. js-yaml's dumper, not
 * the `yaml` library used for reading: it writes the same documents about four
 * times faster, which matters for GitOps folders of thousands of cells
 * (bench/README.md).
 */
export function toYaml(objects: KubeObject[]): string {
  return objects.map(o => dump(o, { lineWidth: -1, noRefs: true, quotingType: '"' })).join('---\n');
}
