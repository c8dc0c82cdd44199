import { createServer, request as httpRequest, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AnalyzerRegistry,
  builtInAnalyzers,
  createExternalHttpAnalyzer,
  runAnalyzers,
  UnknownAnalyzerError,
  type AnalyzerHttpClient,
  type LoudnessResult,
  type ScenesResult,
  type SilenceBlackResult,
} from '../src/analyzers/index.ts';
import { resolveFfmpeg, type FfmpegBinaries } from '../src/ffmpeg-binary.ts';
import { probe, type MediaInfo } from '../src/probe.ts';
import { clips, makeTempDir } from './fixtures.ts';

/** A plain client for these tests; the worker injects the SSRF-checked one (tested in packages/jobs). */
const plainRequest: AnalyzerHttpClient = (r) =>
  new Promise((resolve, reject) => {
    const req = httpRequest(r.url, { method: r.method, headers: r.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks), truncated: false }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    r.body.pipe(req);
  });

let bin: FfmpegBinaries;
let tmp: Awaited<ReturnType<typeof makeTempDir>>;
// Black 0–1.5 s, test pattern 1.5–3 s, colour bars 3–4.5 s; tone, silence 1.5–3 s, tone.
let shots: string;
let shotsInfo: MediaInfo;

beforeAll(async () => {
  bin = await resolveFfmpeg();
  tmp = await makeTempDir('analyzers');
  shots = await clips.shotsAndSilence(tmp.dir);
  shotsInfo = await probe(bin, shots);
});
afterAll(() => tmp.cleanup());

describe('built-in analyzers', () => {
  it('are chosen by name, in the order given, and an unknown name is refused', () => {
    const registry = new AnalyzerRegistry(builtInAnalyzers(bin));
    expect(registry.names()).toEqual(['scenes', 'loudness', 'silence-black']);
    expect(registry.select(['silence-black', 'scenes']).map((a) => a.name)).toEqual(['silence-black', 'scenes']);
    expect(() => registry.select(['scenes', 'speech'])).toThrow(UnknownAnalyzerError);
  });

  it('find the cuts, the loudness and the black and silent stretches of a real clip', async () => {
    const registry = new AnalyzerRegistry(builtInAnalyzers(bin));
    const outcomes = await runAnalyzers(registry.select(['scenes', 'loudness', 'silence-black']), shots, shotsInfo);
    expect(outcomes.map((o) => [o.name, o.ok])).toEqual([
      ['scenes', true],
      ['loudness', true],
      ['silence-black', true],
    ]);
    const result = <T>(name: string) => (outcomes.find((o) => o.name === name) as { result: T }).result;

    const scenes = result<ScenesResult>('scenes');
    expect(scenes.cuts.map((c) => c.timeS)).toEqual([1.5, 3]);
    expect(scenes.keyFrames).toEqual([0, 1.5, 3]);
    expect(scenes.chapters.map((c) => [c.startS, c.endS])).toEqual([
      [0, 1.5],
      [1.5, 3],
      [3, shotsInfo.durationS],
    ]);

    const loudness = result<LoudnessResult>('loudness');
    if (!loudness.hasAudio) throw new Error('expected audio');
    // A sine at 1/8 full scale, a third of the time silent: about -22 LUFS.
    expect(loudness.integratedLufs).toBeGreaterThan(-26);
    expect(loudness.integratedLufs).toBeLessThan(-18);
    expect(loudness.truePeakDbtp).toBeLessThan(-10);
    expect(loudness.limitedByPeak).toBe(false);
    expect(loudness.gainDb).toBeCloseTo(-14 - loudness.integratedLufs!, 1);

    const sb = result<SilenceBlackResult>('silence-black');
    expect(sb.black).toHaveLength(1);
    expect(sb.black[0]!.startS).toBe(0);
    expect(sb.black[0]!.endS).toBeCloseTo(1.5, 1);
    expect(sb.silence).toHaveLength(1);
    expect(sb.silence[0]!.startS).toBeCloseTo(1.5, 1);
    expect(sb.silence[0]!.endS).toBeCloseTo(3, 1);
  });

  it('report no audio rather than failing on a silent-less clip without an audio track', async () => {
    const input = await clips.noAudio(tmp.dir);
    const info = await probe(bin, input);
    const outcomes = await runAnalyzers(
      new AnalyzerRegistry(builtInAnalyzers(bin)).select(['loudness', 'silence-black']),
      input,
      info,
    );
    expect(outcomes).toMatchObject([
      { name: 'loudness', ok: true, result: { hasAudio: false } },
      { name: 'silence-black', ok: true, result: { hasAudio: false, silence: [], black: [] } },
    ]);
  });
});

describe('external HTTP analyzer', () => {
  let server: Server;
  let url: string;
  const received: Array<{
    auth?: string;
    fields: Record<string, string>;
    file: { name: string; type: string; bytes: Uint8Array };
  }> = [];
  let status = 200;

  beforeAll(async () => {
    server = createServer(async (req: IncomingMessage, res) => {
      const request = new Request('http://local/', {
        method: 'POST',
        headers: req.headers as Record<string, string>,
        body: Readable.toWeb(req) as ReadableStream,
        duplex: 'half',
      } as RequestInit);
      const form = await request.formData();
      const fields: Record<string, string> = {};
      let file: { name: string; type: string; bytes: Uint8Array } | undefined;
      for (const [k, v] of form) {
        if (typeof v === 'string') fields[k] = v;
        else file = { name: v.name, type: v.type, bytes: new Uint8Array(await v.arrayBuffer()) };
      }
      received.push({ auth: req.headers.authorization, fields, file: file! });
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(status === 200 ? { text: 'hello world', segments: 1 } : { error: 'overloaded' }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/transcribe`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('POSTs the audio as 16 kHz mono WAV with metadata and keeps the JSON answer', async () => {
    const analyzer = createExternalHttpAnalyzer(bin, {
      name: 'transcript',
      url,
      headers: { authorization: 'Bearer test-token' },
      fields: { model: 'whisper-1' },
      request: plainRequest,
    });
    const registry = new AnalyzerRegistry([...builtInAnalyzers(bin), analyzer]);
    const [outcome] = await runAnalyzers(registry.select(['transcript']), shots, shotsInfo);
    expect(outcome).toMatchObject({
      name: 'transcript',
      ok: true,
      result: { status: 200, body: { text: 'hello world' } },
    });

    const req = received.at(-1)!;
    expect(req.auth).toBe('Bearer test-token');
    expect(req.fields.model).toBe('whisper-1');
    expect(JSON.parse(req.fields.metadata!)).toMatchObject({
      width: 320,
      height: 180,
      hasAudio: true,
    });
    expect(req.file.name).toBe('audio.wav');
    const wav = Buffer.from(req.file.bytes);
    expect(wav.toString('latin1', 0, 4)).toBe('RIFF');
    expect(wav.readUInt16LE(22)).toBe(1); // mono
    expect(wav.readUInt32LE(24)).toBe(16_000);
    // 16-bit samples at 16 kHz for the 4.5 s clip.
    expect(Math.abs(wav.length - 4.5 * 16_000 * 2)).toBeLessThan(16_000);
  });

  it('turns an error status into a failed outcome without stopping the other analyzers', async () => {
    status = 503;
    try {
      const analyzer = createExternalHttpAnalyzer(bin, { name: 'transcript', url, request: plainRequest });
      const registry = new AnalyzerRegistry([...builtInAnalyzers(bin), analyzer]);
      const outcomes = await runAnalyzers(registry.select(['transcript', 'loudness']), shots, shotsInfo);
      expect(outcomes[0]).toMatchObject({ name: 'transcript', ok: false });
      expect(outcomes[0]!.ok === false && outcomes[0]!.error.message).toMatch(/503/);
      expect(outcomes[1]).toMatchObject({ name: 'loudness', ok: true });
    } finally {
      status = 200;
    }
  });
});
