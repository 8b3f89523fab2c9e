/** Addresses and CIDRs: shared with validation (which must not load the analyzer), see net/ip.ts. */
export * from '../net/ip';
