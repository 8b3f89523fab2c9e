/*
 * Property tests (fast-check) run from one fixed seed, so that a CI run is
 * reproducible and a red run is red every time, on every machine.
 * CELLPLANE_PROPERTY_SEED=<integer> runs them from another seed, and
 * CELLPLANE_PROPERTY_SEED=random from a new one each run (fast-check prints the
 * seed and path of any counterexample, to pin it as a test case).
 */
import fc from 'fast-check';

const setting = process.env.CELLPLANE_PROPERTY_SEED;
const seed = setting === 'random' ? Date.now() % 2 ** 31 : Number(setting ?? 20261202);
if (!Number.isInteger(seed)) throw new Error(`CELLPLANE_PROPERTY_SEED=${setting}: write an integer or random`);
fc.configureGlobal({ seed });
