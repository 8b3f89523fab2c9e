/** AuthorizationPolicies in words, for the analyzer's explanations. */
import type { EnforcementPoint } from './authorization';
import type { AuthorizationPolicyModel, OperationModel, SourceModel } from './authorizationPolicy';

function describeSource(s: SourceModel): string {
  const parts: string[] = [];
  if (s.principals) parts.push(s.principals.join(' or '));
  if (s.serviceAccounts) parts.push(`service account ${s.serviceAccounts.join(' or ')}`);
  if (s.namespaces) parts.push(`namespace ${s.namespaces.join(' or ')}`);
  if (s.notPrincipals) parts.push(`anyone but ${s.notPrincipals.join(', ')}`);
  if (s.notNamespaces) parts.push(`any namespace but ${s.notNamespaces.join(', ')}`);
  if (s.ipBlocks) parts.push(`IPs ${s.ipBlocks.map(c => c.text).join(', ')}`);
  if (s.requestPrincipals) parts.push(`JWT principals ${s.requestPrincipals.join(', ')}`);
  return parts.join(' and ') || 'anyone';
}

function describeOperation(o: OperationModel): string {
  const methods = o.methods ?? [];
  const paths = o.paths ?? [];
  const parts: string[] = [];
  if (methods.length > 0 && paths.length > 0) parts.push(methods.flatMap(m => paths.map(p => `${m} ${p}`)).join(', '));
  else if (methods.length > 0) parts.push(`${methods.join(', ')} on any path`);
  else if (paths.length > 0) parts.push(`any method on ${paths.join(', ')}`);
  if (o.notMethods) parts.push(`methods other than ${o.notMethods.join(', ')}`);
  if (o.notPaths) parts.push(`paths other than ${o.notPaths.join(', ')}`);
  if (o.ports) parts.push(`port ${o.ports.join(', ')}`);
  if (o.hosts) parts.push(`host ${o.hosts.join(', ')}`);
  return parts.join(' ') || 'any request';
}

/** "GET /a from X; POST /b from Y" — what an ALLOW policy admits, for explanations. */
export function describePolicy(policy: AuthorizationPolicyModel, at: EnforcementPoint): string {
  const rules = policy.rules.filter(r => !(at === 'ztunnel' && policy.action === 'ALLOW' && r.l7Fields.length > 0));
  if (rules.length === 0) {
    return policy.rules.length === 0
      ? 'has no rules, so it matches nothing'
      : `has only HTTP rules (${policy.rules[0].l7Fields.join(', ')}), which ztunnel drops, so it matches nothing`;
  }
  let verb = 'delegates';
  if (policy.action === 'ALLOW') verb = 'allows';
  else if (policy.action === 'DENY') verb = 'denies';
  return `${verb} ${rules
    .map(r => `${r.to ? r.to.map(describeOperation).join(' or ') : 'any request'} only from ${r.from ? r.from.map(describeSource).join(' or ') : 'anyone'}`)
    .join('; ')}`;
}
