// Setup file of the mutation runs: property tests without their own seed draw the same inputs in every run,
// so the tests that StrykerJS's coverage run saw reach a mutant are the tests that meet it again.
import fc from 'fast-check';

fc.configureGlobal({ seed: 20261202 });
