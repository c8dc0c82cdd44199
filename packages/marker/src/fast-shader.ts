// A faster drop-in for mind-ar 1.2.5's detector/kernels/cpu/fakeShader.js, which runs each WebGL shader's JavaScript
// twin once per output element through mathjs (zeros + map over nested arrays), a freshly bound function and a
// rest-argument getter per read: about 70% of a compile's CPU time was spent in that machinery rather than in the
// kernels. This `runCode` calls the same kernel code (mind-ar's own `userCode`, unchanged) with the same getters'
// semantics (each coordinate clamped to the input's shape, the same index arithmetic), the same output rule (NaN → 0,
// Math.fround) and the same output order, so the detector's results and the .mind it produces are byte-identical
// (checked by packages/marker/test/compile-speed.test.ts against the original).
//
// mind-ar.ts swaps it in for fakeShader.js with a module resolve hook (node:module registerHooks) before loading the
// CPU kernels. MindAR is © HiuKim Yuen, MIT licence.

interface TensorInfoLike {
  dataId: object;
  shape: number[];
}
interface CpuBackendLike {
  data: { get(dataId: object): { values: ArrayLike<number> } };
  makeOutput(values: ArrayLike<number | undefined>, shape: number[], dtype: string): unknown;
}
interface ShaderKernel {
  variableNames: string[];
  outputShape: number[];
  userCode: (this: Record<string, unknown>) => void;
}

type Getter = (...args: number[]) => number;

function clampInt(n: number, min: number, max: number): number {
  return Math.min(Math.max(n, min), max - 1);
}

/** fakeShader.js's getter for one input: clamp every coordinate, then row-major index (same arithmetic order). */
function makeGetter(values: ArrayLike<number>, shape: number[]): Getter {
  if (shape.length === 1) {
    const [s0] = shape as [number];
    return (...args: number[]) =>
      args.length === 1 ? values[clampInt(args[0]!, 0, s0)]! : generic(values, shape, args);
  }
  if (shape.length === 2) {
    const [s0, s1] = shape as [number, number];
    return (...args: number[]) =>
      args.length === 2
        ? values[clampInt(args[0]!, 0, s0) * s1 + clampInt(args[1]!, 0, s1)]!
        : generic(values, shape, args);
  }
  if (shape.length === 3) {
    const [s0, s1, s2] = shape as [number, number, number];
    return (...args: number[]) =>
      args.length === 3
        ? values[clampInt(args[0]!, 0, s0) * s1 * s2 + clampInt(args[1]!, 0, s1) * s2 + clampInt(args[2]!, 0, s2)]!
        : generic(values, shape, args);
  }
  return (...args: number[]) => generic(values, shape, args);
}

/** fakeShader.js's getter and flatten, verbatim in effect, for any rank and argument count. */
function generic(values: ArrayLike<number>, shape: number[], args: number[]): number {
  let index = 0;
  for (let i = 0; i < args.length; i++) {
    let current = clampInt(args[i]!, 0, shape[i]!);
    for (let j = i + 1; j < shape.length; j++) current *= shape[j]!;
    index += current;
  }
  return values[index]!;
}

export function runCode(
  backend: CpuBackendLike,
  kernel: ShaderKernel,
  inputs: TensorInfoLike[],
  dtype: string,
): unknown {
  // A plain object, as in fakeShader.js: kernels look their inputs up with this.hasOwnProperty('getImage' + octave).
  const context: Record<string, unknown> = {};
  kernel.variableNames.forEach((name, index) => {
    const input = inputs[index]!;
    context[`get${name[0]!.toUpperCase()}${name.substring(1)}`] = makeGetter(
      backend.data.get(input.dataId).values,
      input.shape,
    );
  });
  context.int = Math.trunc;
  context.atan = Math.atan2;

  const shape = kernel.outputShape;
  const size = shape.reduce((a, b) => a * b, 1);
  // Float32 storage holds every value exactly (each is Math.fround-ed) in half the memory of a JS array of doubles.
  // Some kernels leave elements unset (computeLocalization's unused lanes): fakeShader.js hands those on as
  // `undefined`, so from the first one on this falls back to a plain array, as fakeShader.js's output is.
  const packed = new Float32Array(size);
  let loose: (number | undefined)[] | undefined;
  let out: number | undefined;
  context.setOutput = (value: number) => {
    out = Number.isNaN(value) ? 0 : Math.fround(value);
  };
  // One coordinate array, advanced in place: the kernels read it at their start and never keep or change it.
  const rank = shape.length;
  const coords = Array.from({ length: rank }, () => 0);
  context.getOutputCoords = () => coords;
  const userCode = kernel.userCode;
  for (let i = 0; i < size; i++) {
    out = undefined;
    userCode.call(context);
    if (loose) loose.push(out);
    else if (out !== undefined) packed[i] = out;
    else (loose = Array.from<number | undefined>(packed.subarray(0, i))).push(out);
    // Row-major odometer over outputShape: the order mathjs's map visits the nested arrays in.
    for (let d = rank - 1; d >= 0; d--) {
      if (++coords[d]! < shape[d]!) break;
      coords[d] = 0;
    }
  }
  return backend.makeOutput(loose ?? packed, shape, dtype);
}
