import { analyzerAnswer, checkL7KnownDifferences, compareCase, emptyL7Tally, KNOWN_DIFFERENCE_RULES, L7_SELF_CHECK } from './compare';
import { generateAuthzCase } from './generator';

describe('the L7 differential test, our side', () => {
  it("gives the self-check's hand-worked verdicts (the oracle must give them too)", () => {
    expect(analyzerAnswer(L7_SELF_CHECK.case, () => true)).toEqual({ rejected: [], reasons: {}, verdicts: L7_SELF_CHECK.expected });
  });
  it('counts agreement, and a disagreement no rule explains', () => {
    const c = L7_SELF_CHECK.case;
    const tally = emptyL7Tally();
    compareCase(c, { id: c.id, rejected: [], skipped: [], verdicts: L7_SELF_CHECK.expected }, tally);
    expect(tally).toMatchObject({ requests: 9, agreed: 9, unexplained: [] });
    const flipped = `0${L7_SELF_CHECK.expected.slice(1)}`;
    compareCase(c, { id: c.id, rejected: [], skipped: [], verdicts: flipped }, tally);
    expect(tally.agreed).toBe(17);
    expect(tally.unexplained).toMatchObject([{ id: 'self-check', ours: true, oracle: false }]);
  });
  it('a policy only one side refuses is a disagreement', () => {
    const c = L7_SELF_CHECK.case;
    const tally = emptyL7Tally();
    compareCase(c, { id: c.id, rejected: ['orion/deny-mallory'], skipped: [], verdicts: '100110001' }, tally);
    expect(tally.unexplained).toMatchObject([{ policy: 'orion/deny-mallory', refusedBy: 'istio' }]);
    expect(tally.agreed).toBe(9);
  });
  it('the known-differences file and the rules match one to one', () => {
    expect(checkL7KnownDifferences([], KNOWN_DIFFERENCE_RULES)).toEqual([]);
    expect(checkL7KnownDifferences([{ id: 'x', rule: 'r', reason: 'r', istio: 'envoy', evidence: 'e' }], {})).toEqual([
      'x: listed in the file but no rule implements it',
    ]);
  });
  it('generates the same case from the same seed, with both actions and varied requests', () => {
    expect(generateAuthzCase(7)).toEqual(generateAuthzCase(7));
    const cases = Array.from({ length: 50 }, (_, i) => generateAuthzCase(i + 1));
    const actions = new Set(cases.flatMap(c => c.policies.map(p => p.spec.action ?? 'ALLOW')));
    expect([...actions].sort()).toEqual(['ALLOW', 'AUDIT', 'DENY']);
    const paths = cases.flatMap(c => c.requests.map(r => r.path));
    for (const trick of ['..', '%2e', '?', '//']) expect(paths.some(p => p.includes(trick))).toBe(true);
    const text = JSON.stringify(cases.map(c => c.policies));
    for (const field of [
      'notPrincipals',
      'notNamespaces',
      'serviceAccounts',
      'notPaths',
      '{**}',
      'hosts',
      'notPorts',
      'request.headers[x-user]',
      'source.principal',
      'spiffe://',
    ])
      expect(text).toContain(field);
  });
});
