import { fuzzShard } from '../src/fuzz-suite.ts';

fuzzShard(0, 3);
