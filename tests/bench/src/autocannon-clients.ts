// autocannon's command line, with the requests spread over N client addresses in turn (`x-forwarded-for`, for a
// server that trusts its proxy): phones scanning a code come from many IPs, so per-IP state spreads over as many rows.
//
//   node autocannon-clients.ts <N> <autocannon arguments…>
import { createRequire } from 'node:module';

interface RequestData {
  headers: Record<string, string>;
}
interface Autocannon {
  parseArguments(args: string[]): Record<string, unknown>;
  start(argv: Record<string, unknown>): void;
}

const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;
const [count, ...args] = process.argv.slice(2);
const clients = Number(count);
if (!Number.isInteger(clients) || clients < 1 || clients > 65_536)
  throw new Error('usage: autocannon-clients.ts <N, 1..65536> <autocannon arguments…>');

// 10.0.0.0 … 10.0.x.y: the same N addresses in the same order for every run, so both sides see the same clients.
const addresses = Array.from({ length: clients }, (_, i) => `10.0.${i >> 8}.${i & 255}`);
let next = 0;
const argv = autocannon.parseArguments(args);
argv.requests = [
  {
    setupRequest(req: RequestData) {
      // autocannon hands each call a fresh copy of the default headers.
      req.headers['x-forwarded-for'] = addresses[next++ % clients]!;
      return req;
    },
  },
];
autocannon.start(argv);
