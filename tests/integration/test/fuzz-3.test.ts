import { FUZZ_SHARDS, fuzzShard } from '../src/fuzz-suite.ts';

fuzzShard(2, FUZZ_SHARDS);
