/**
 * The one string order of everything Cellplane writes or lists (manifests,
 * problems, grants, file lists): by UTF-16 code unit, the order of
 * `Array.prototype.sort()` without a comparator. `localeCompare` and
 * `new Intl.Collator()` follow the host's locale (LANG, LC_ALL: under
 * lt_LT "y" sorts next to "i") and the ICU data Node was built with, so the
 * same catalog would compile to different bytes on different machines.
 */
export function compareText(a: string, b: string): number {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}
