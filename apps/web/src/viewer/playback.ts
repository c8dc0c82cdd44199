// The playback rules of the camera view, kept apart from the DOM so they can be tested: the video plays only while the
// photo is in sight, starts muted (iOS plays by itself only muted, inline), gets sound from one tap that is remembered
// for the browser session, and resumes where it paused. No sound ever starts before the photo is found.

/** What the rules need of a <video>. */
export interface PlaybackMedia {
  muted: boolean;
  readonly paused: boolean;
  play(): Promise<void>;
  pause(): void;
}

/** Remembers for the browser session that the visitor turned sound on (sessionStorage; nothing when unavailable). */
export interface SoundMemory {
  get(): boolean;
  set(): void;
}

export const SOUND_KEY = 'arvlite:viewer:sound';

export function sessionSoundMemory(storage: () => Storage | undefined = () => globalThis.sessionStorage): SoundMemory {
  return {
    get: () => {
      try {
        return storage()?.getItem(SOUND_KEY) === 'on';
      } catch {
        return false; // storage refused (private mode, a sandboxed frame)
      }
    },
    set: () => {
      try {
        storage()?.setItem(SOUND_KEY, 'on');
      } catch {
        // Not remembered: the next page asks again.
      }
    },
  };
}

export interface PlaybackSettings {
  /** The item's autoplay: without it, the first sighting waits for a tap on "Play video". */
  autoplay: boolean;
  /** The item's muted: a muted item never asks for sound. */
  muted: boolean;
}

export interface PlaybackView {
  /** The photo is in sight (after the tracker's grace period: a short drop is not a loss). */
  seen: boolean;
  /** idle: never found yet; waiting: found, waiting for the tap to play; playing; paused: started, then lost. */
  phase: 'idle' | 'waiting' | 'playing' | 'paused';
  /** Offer the sound button: the item wants sound and the video is muted. */
  soundButton: boolean;
}

export class PlaybackRules {
  private seen = false;
  private started = false;
  private waiting = false;
  /** Sound was turned on by a tap, on this page or earlier in the session. */
  private soundWanted: boolean;
  /** Bumped on every sighting and loss, so a play() that settles after the photo was lost again does nothing. */
  private epoch = 0;

  private readonly media: PlaybackMedia;
  private readonly settings: PlaybackSettings;
  private readonly memory: SoundMemory;
  private readonly onChange: (view: PlaybackView) => void;

  constructor(
    media: PlaybackMedia,
    settings: PlaybackSettings,
    memory: SoundMemory,
    onChange: (view: PlaybackView) => void = () => undefined,
  ) {
    this.media = media;
    this.settings = settings;
    this.memory = memory;
    this.onChange = onChange;
    this.soundWanted = !settings.muted && memory.get();
    // Silent and still until the photo is found, whatever the element was given.
    media.muted = true;
    if (!media.paused) media.pause();
  }

  view(): PlaybackView {
    return {
      seen: this.seen,
      phase: !this.started ? (this.waiting ? 'waiting' : 'idle') : this.seen ? 'playing' : 'paused',
      soundButton: this.started && !this.settings.muted && this.media.muted,
    };
  }

  /** The photo is in sight: play (first time, if the item autoplays) or resume where it paused. */
  targetFound(): void {
    if (this.seen) return;
    this.seen = true;
    this.epoch++;
    if (this.started) void this.play();
    else if (this.settings.autoplay) {
      this.started = true;
      void this.play();
    } else this.waiting = true;
    this.changed();
  }

  /**
   * The element got its source (or a new one). That aborts a play() in flight, so a video that should be playing
   * (found before its source arrived) starts again.
   */
  sourceAttached(): void {
    if (this.seen && this.started) void this.play();
  }

  /** The photo is out of sight (the tracker's grace period over): pause, keeping the position. */
  targetLost(): void {
    if (!this.seen) return;
    this.seen = false;
    this.epoch++;
    this.media.pause();
    this.changed();
  }

  /** The visitor tapped "Play video" (an item that does not autoplay). A user gesture: sound may start with it. */
  tapPlay(): void {
    if (!this.seen || this.started) return;
    this.started = true;
    this.waiting = false;
    void this.play();
    this.changed();
  }

  /** The visitor tapped "Turn sound on": a user gesture, so sound starts, and it is remembered for the session. */
  tapSound(): void {
    if (this.settings.muted) return;
    this.soundWanted = true;
    this.memory.set();
    this.media.muted = false;
    if (this.seen && this.started) void this.media.play().catch(() => undefined);
    this.changed();
  }

  /**
   * Plays as the rules allow: with sound when it was asked for in this session (and the browser agrees), else muted.
   * A browser refusing sound without a fresh gesture (iOS on a new page) gets the muted video and the sound button.
   */
  private async play(): Promise<void> {
    const epoch = this.epoch;
    this.media.muted = !this.soundWanted;
    try {
      await this.media.play();
    } catch (err) {
      if (epoch !== this.epoch) return;
      if ((err as Error).name !== 'NotAllowedError' || this.media.muted) return this.changed();
      this.media.muted = true;
      try {
        await this.media.play();
      } catch {
        // Refused even muted (data saver, a policy): the video stays paused until the next sighting.
      }
    }
    // Lost while play() was settling: the rules win over the late start.
    if (epoch !== this.epoch && !this.seen) this.media.pause();
    this.changed();
  }

  private changed(): void {
    this.onChange(this.view());
  }
}
