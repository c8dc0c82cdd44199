import { FUZZ_SHARDS, fuzzShard } from '../src/fuzz-suite.ts';

fuzzShard(3, FUZZ_SHARDS);
