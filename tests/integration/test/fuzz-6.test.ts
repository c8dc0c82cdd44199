import { FUZZ_SHARDS, fuzzShard } from '../src/fuzz-suite.ts';

fuzzShard(5, FUZZ_SHARDS);
