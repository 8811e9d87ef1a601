// Setup file of the mutation runs, for the property tests (fast-check). Those without their own seed draw the
// same inputs in every run, so the tests that StrykerJS's coverage run saw reach a mutant meet it again. And
// each property stops drawing after PROPERTY_TIME_LIMIT_MS: a mutant that survives pays a fraction of a
// second per property instead of the seconds of the full number of runs. This can only lose kills (a mutant
// that only a later draw would catch survives), never invent one: what fails is a real counterexample.
import fc from 'fast-check';

const PROPERTY_TIME_LIMIT_MS = 250;

fc.configureGlobal({ seed: 20261202, interruptAfterTimeLimit: PROPERTY_TIME_LIMIT_MS });
