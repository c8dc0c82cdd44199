/** Standard deviation of 8-bit grey levels: 0 for a flat colour, about 50+ for a well-contrasted photo. */
export function greyStandardDeviation(values: Uint8Array): number {
  let sum = 0;
  let sumOfSquares = 0;
  for (const value of values) {
    sum += value;
    sumOfSquares += value * value;
  }
  const mean = sum / values.length;
  return Math.sqrt(Math.max(0, sumOfSquares / values.length - mean * mean));
}
