import { fuzzShard } from '../src/fuzz-suite.ts';

fuzzShard(2, 3);
