// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest';
import { autoplay } from './video-source.ts';

/** A video whose play() answers as a browser's autoplay policy does. */
function videoUnder(policy: 'anything' | 'muted-only' | 'nothing') {
  const el = document.createElement('video');
  const plays: boolean[] = [];
  el.play = () => {
    plays.push(el.muted);
    const allowed = policy === 'anything' || (policy === 'muted-only' && el.muted);
    return allowed
      ? Promise.resolve()
      : Promise.reject(new DOMException('play() can only be initiated by a user gesture', 'NotAllowedError'));
  };
  return { el, plays };
}

describe('autoplay', () => {
  it('starts with sound where the browser allows it and the item wants it', async () => {
    const { el, plays } = videoUnder('anything');
    expect(await autoplay(el, { autoplay: true, loop: true, muted: false })).toBe('playing-with-sound');
    expect([plays, el.muted]).toEqual([[false], false]);
  });

  it('starts muted where sound is refused without a tap, so the caller offers a button', async () => {
    const { el, plays } = videoUnder('muted-only');
    expect(await autoplay(el, { autoplay: true, loop: true, muted: false })).toBe('playing-muted');
    expect([plays, el.muted]).toEqual([[false, true], true]);
  });

  it('keeps an item that asks for silence muted, and gives up where nothing may start by itself', async () => {
    const quiet = videoUnder('muted-only');
    expect(await autoplay(quiet.el, { autoplay: true, loop: false, muted: true })).toBe('playing-muted');
    expect(quiet.plays).toEqual([true]);
    const strict = videoUnder('nothing');
    expect(await autoplay(strict.el, { autoplay: true, loop: false, muted: false })).toBe('blocked');
    expect(strict.plays).toEqual([false, true]);
  });

  it('does not retry muted after another failure (no source, aborted)', async () => {
    const el = document.createElement('video');
    let calls = 0;
    el.play = () => {
      calls++;
      return Promise.reject(new DOMException('The element has no supported sources.', 'NotSupportedError'));
    };
    expect(await autoplay(el, { autoplay: true, loop: false, muted: false })).toBe('blocked');
    expect(calls).toBe(1);
  });
});
