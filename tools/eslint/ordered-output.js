/* ESLint restrictions for the packages whose output must be byte-identical on
   every machine (manifests, reports, file lists): no ordering by the host's
   locale. Passed as `restrictedSyntax` to Backstage's eslint-factory. */
const message =
  'orders by the host locale (LANG/LC_ALL) and ICU version: use compareText from @cellplane/cells-common (code-unit order) for anything that reaches output';

module.exports = [
  { selector: "CallExpression[callee.property.name='localeCompare']", message: `localeCompare ${message}` },
  { selector: "MemberExpression[object.name='Intl'][property.name='Collator']", message: `Intl.Collator ${message}` },
];
