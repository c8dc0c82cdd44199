import { FUZZ_SHARDS, fuzzShard } from '../src/fuzz-suite.ts';

fuzzShard(0, FUZZ_SHARDS);
