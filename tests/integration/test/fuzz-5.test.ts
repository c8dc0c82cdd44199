import { FUZZ_SHARDS, fuzzShard } from '../src/fuzz-suite.ts';

fuzzShard(4, FUZZ_SHARDS);
