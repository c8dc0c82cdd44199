import { describe, expect, it } from 'vitest';
import { PlaybackRules, sessionSoundMemory, SOUND_KEY, type PlaybackMedia, type PlaybackView } from './playback.ts';

/**
 * A media element as browsers behave: play() refused with sound unless `soundAllowed` (a user gesture), position kept
 * across pause and play, `audible` whenever it plays unmuted.
 */
class FakeMedia implements PlaybackMedia {
  muted = false;
  paused = true;
  currentTime = 0;
  soundAllowed = false;
  refuseAll = false;
  /** The source is not on the element yet: its arrival will abort this play() (the media load algorithm). */
  abortNext = false;
  playCalls = 0;
  /** Every moment sound came out: [playing, muted] after each call. */
  audibleWhile: string[] = [];
  async play() {
    this.playCalls++;
    await Promise.resolve();
    if (this.abortNext) {
      this.abortNext = false;
      throw Object.assign(new Error('interrupted by a new load request'), { name: 'AbortError' });
    }
    if (this.refuseAll || (!this.muted && !this.soundAllowed))
      throw Object.assign(new Error('refused'), { name: 'NotAllowedError' });
    this.paused = false;
    if (!this.muted) this.audibleWhile.push('playing');
  }
  pause() {
    this.paused = true;
  }
  advance(s: number) {
    if (!this.paused) this.currentTime += s;
  }
}

class MemoryStorage {
  items = new Map<string, string>();
  getItem(k: string) {
    return this.items.get(k) ?? null;
  }
  setItem(k: string, v: string) {
    this.items.set(k, v);
  }
}

const settle = async () => {
  for (let i = 0; i < 5; i++) await Promise.resolve();
};

function setup(opts: { autoplay?: boolean; muted?: boolean; storage?: MemoryStorage } = {}) {
  const media = new FakeMedia();
  const storage = opts.storage ?? new MemoryStorage();
  const views: PlaybackView[] = [];
  const rules = new PlaybackRules(
    media,
    { autoplay: opts.autoplay ?? true, muted: opts.muted ?? false },
    sessionSoundMemory(() => storage as unknown as Storage),
    (v) => views.push(v),
  );
  return { media, rules, storage, views };
}

describe('PlaybackRules', () => {
  it('is muted and paused before the photo is found, whatever the element was given', () => {
    const media = new FakeMedia();
    media.paused = false;
    const rules = new PlaybackRules(
      media,
      { autoplay: true, muted: false },
      sessionSoundMemory(() => undefined),
    );
    expect(media).toMatchObject({ muted: true, paused: true, playCalls: 0 });
    expect(rules.view()).toEqual({ seen: false, phase: 'idle', soundButton: false });
  });

  it('autoplays muted when found, with the sound button for an item that wants sound', async () => {
    const { media, rules } = setup();
    rules.targetFound();
    await settle();
    expect(media).toMatchObject({ muted: true, paused: false });
    expect(media.audibleWhile).toEqual([]);
    expect(rules.view()).toEqual({ seen: true, phase: 'playing', soundButton: true });
  });

  it('a muted item never offers sound', async () => {
    const { media, rules } = setup({ muted: true });
    rules.targetFound();
    await settle();
    expect(media).toMatchObject({ muted: true, paused: false });
    expect(rules.view().soundButton).toBe(false);
    rules.tapSound();
    expect(media.muted).toBe(true);
  });

  it('pauses when lost and resumes where it paused when found again', async () => {
    const { media, rules } = setup();
    rules.targetFound();
    await settle();
    media.advance(1.5);
    rules.targetLost();
    expect(media.paused).toBe(true);
    expect(rules.view().phase).toBe('paused');
    media.advance(3); // time passes while lost: the video does not move
    expect(media.currentTime).toBe(1.5);
    rules.targetFound();
    await settle();
    expect(media.paused).toBe(false);
    media.advance(0.5);
    expect(media.currentTime).toBe(2); // not restarted
  });

  it('a play() settling after the photo was lost again leaves the video paused', async () => {
    const { media, rules } = setup();
    rules.targetFound();
    rules.targetLost(); // before play() resolved
    await settle();
    expect(media.paused).toBe(true);
  });

  it('plays once the source arrives when the photo was found before it (the arrival aborted the first play)', async () => {
    const { media, rules } = setup();
    media.abortNext = true;
    rules.targetFound();
    await settle();
    expect(media.paused).toBe(true);
    rules.sourceAttached();
    await settle();
    expect(media).toMatchObject({ paused: false, muted: true, playCalls: 2 });
    // Not seen, or not started: a source arriving plays nothing.
    rules.targetLost();
    rules.sourceAttached();
    await settle();
    expect(media).toMatchObject({ paused: true, playCalls: 2 });
  });

  it('the sound tap unmutes, plays on with sound and is remembered for the session', async () => {
    const storage = new MemoryStorage();
    const first = setup({ storage });
    first.rules.targetFound();
    await settle();
    first.media.soundAllowed = true; // the tap is a user gesture
    first.rules.tapSound();
    await settle();
    expect(first.media).toMatchObject({ muted: false, paused: false });
    expect(first.rules.view().soundButton).toBe(false);
    expect(storage.getItem(SOUND_KEY)).toBe('on');
    // Lost and found again on the same page: sound stays on.
    first.rules.targetLost();
    first.rules.targetFound();
    await settle();
    expect(first.media).toMatchObject({ muted: false, paused: false });

    // The next page of the session asks for sound at once: still muted until the photo is found.
    const next = setup({ storage });
    next.media.soundAllowed = true; // a browser that allows it (Chromium once the origin had a gesture)
    expect(next.media.muted).toBe(true);
    next.rules.targetFound();
    await settle();
    expect(next.media).toMatchObject({ muted: false, paused: false });
    expect(next.rules.view().soundButton).toBe(false);
  });

  it('a remembered sound the browser refuses without a new gesture (iOS) falls back to muted with the button', async () => {
    const storage = new MemoryStorage();
    storage.setItem(SOUND_KEY, 'on');
    const { media, rules } = setup({ storage });
    rules.targetFound();
    await settle();
    expect(media).toMatchObject({ muted: true, paused: false });
    expect(rules.view().soundButton).toBe(true);
  });

  it('no sound and no playback before the photo is found, even after the sound tap', async () => {
    const { media, rules } = setup();
    media.soundAllowed = true;
    rules.tapSound();
    await settle();
    expect(media).toMatchObject({ paused: true, playCalls: 0 });
    expect(media.audibleWhile).toEqual([]);
    rules.targetFound();
    await settle();
    expect(media).toMatchObject({ muted: false, paused: false });
  });

  it('an item that does not autoplay waits for the tap, only while the photo is seen', async () => {
    const { media, rules } = setup({ autoplay: false });
    rules.tapPlay(); // not seen: nothing
    expect(media.playCalls).toBe(0);
    rules.targetFound();
    await settle();
    expect(media.playCalls).toBe(0);
    expect(rules.view().phase).toBe('waiting');
    media.soundAllowed = true;
    rules.tapPlay();
    await settle();
    expect(media).toMatchObject({ paused: false, muted: true });
    rules.targetLost();
    rules.targetFound();
    await settle();
    expect(media.paused).toBe(false); // started once: later sightings resume without a tap
  });

  it('repeated found/lost signals change nothing', async () => {
    const { media, rules, views } = setup();
    rules.targetFound();
    rules.targetFound();
    await settle();
    expect(media.playCalls).toBe(1);
    rules.targetLost();
    rules.targetLost();
    expect(views.filter((v) => v.phase === 'paused')).toHaveLength(1);
  });

  it('a storage that throws remembers nothing and breaks nothing', () => {
    const memory = sessionSoundMemory(() => {
      throw new Error('SecurityError');
    });
    expect(memory.get()).toBe(false);
    expect(() => memory.set()).not.toThrow();
  });
});
