import { fuzzShard } from '../src/fuzz-suite.ts';

fuzzShard(1, 3);
