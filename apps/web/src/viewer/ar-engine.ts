// The camera view: MindAR (TensorFlow.js on WebGL) finds the photo in the camera feed, and three.js draws the video on
// a plane laid over it. Loaded on demand only, while the camera is asked for (when it will likely be granted): it is most
// of the viewer's bytes. The tracker is built and its WebGL kernels compiled during the prompt too, and the 3D view's
// renderer made (warmUpTracker).
import { Controller, type MindArUpdate } from 'mind-ar/dist/mindar-image.prod.js';
import {
  Group,
  Matrix4,
  Mesh,
  MeshBasicMaterial,
  PerspectiveCamera,
  PlaneGeometry,
  Scene,
  SRGBColorSpace,
  TextureLoader,
  Vector2,
  VideoTexture,
  WebGLRenderer,
  type Material,
} from 'three';
import { clipPlanes, coverFov, coverUv, markerPlaneMatrix } from './ar-math.ts';
import type { ArFailure } from './capabilities.ts';
import { shownAspect, videoMaterial, type VideoLook } from './chroma-material.ts';
import { HOLD_MS, MINDAR_PASS_THROUGH, PoseFilter, PoseHold } from './pose-filter.ts';
import { grantedCamera, preloadTarget, targetCacheKey, TargetFetchError } from './preload.ts';
import { markOnce, markStep } from './viewer-timings.ts';

export type ArStage = 'loading' | 'scanning' | 'tracking';

export class ArError extends Error {
  readonly failure: ArFailure;
  constructor(failure: ArFailure, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.failure = failure;
  }
}

export interface ArOptions {
  /** Receives the camera feed and the 3D canvas, filling it. */
  container: HTMLElement;
  /** The granted camera. Stopped with the session. */
  stream: MediaStream;
  mindUrl: string;
  /** The print's width (the pose filter is tuned to it); a postcard's when unknown. */
  widthMm?: number | null;
  /** Shown on the photo from the moment it is found until the video has a frame. */
  posterUrl?: string | null;
  /** The video to lay over the photo; played and paused by the caller. */
  content: HTMLVideoElement;
  /** What of the video is transparent (a chroma key, a stacked matte): the photo shows through there. */
  look?: VideoLook;
  signal: AbortSignal;
  onStage(stage: ArStage): void;
  onTargetFound(): void;
  onTargetLost(): void;
  /** The camera view stopped after it had started (a new tracker for a turned phone could not run). */
  onFailure(err: ArError): void;
}

export interface ArSession {
  stop(): void;
}

/**
 * Dispatched on the container for every pose MindAR reports (`raw`, its own filter passed through) with the pose drawn
 * (`shown`, after ours): the steadiness test and benchmark read it. Column-major 4×4 matrices, marker pixels.
 */
export interface PoseLogEntry {
  t: number;
  raw: number[];
  shown: number[];
  marker: { width: number; height: number };
  widthMm: number | null;
}
export const POSE_EVENT = 'arv:pose';

function aborted(signal: AbortSignal): never {
  throw new ArError('failed', 'stopped', { cause: signal.reason });
}

async function cameraVideo(stream: MediaStream, container: HTMLElement): Promise<HTMLVideoElement> {
  const video = document.createElement('video');
  video.className = 'arv-camera';
  video.muted = true;
  video.playsInline = true;
  video.setAttribute('webkit-playsinline', ''); // iOS before 10
  video.setAttribute('aria-hidden', 'true');
  video.srcObject = stream;
  container.prepend(video);
  await new Promise<void>((resolve, reject) => {
    video.addEventListener('loadedmetadata', () => resolve(), { once: true });
    video.addEventListener('error', () => reject(new ArError('failed', 'the camera feed did not start')), {
      once: true,
    });
  });
  await video.play();
  return video;
}

/** The tracking data, usually already under way since the manifest arrived (preload.ts). */
async function loadTarget(mindUrl: string, signal: AbortSignal): Promise<ArrayBuffer> {
  try {
    return await preloadTarget(mindUrl);
  } catch (err) {
    if (signal.aborted) aborted(signal);
    throw new ArError('target', err instanceof TargetFetchError ? err.message : 'the tracking data failed', {
      cause: err,
    });
  }
}

/**
 * MindAR shows a found photo only after it has tracked it this many frames more (its default is 5: about a second at
 * the 5-7 frames a second of a phone or SwiftShader). A detection is already confirmed by the tracker on the same
 * frame, and a short drop is held by PoseHold: the poster goes on the photo on the first tracked frame.
 */
export const WARMUP_FRAMES = 0;

/**
 * MindAR keeps showing a lost photo's last pose for this many frames more (its default is 5). Counted in frames, that
 * grace grows as the frame rate falls: at the 1-2 frames a second of a loaded machine's SwiftShader it kept the video
 * playing 3-6 s after the photo had gone (a CI run's 4 s of bare table never paused it). The loss is reported on the
 * first missed frame instead, and PoseHold's grace, in time (HOLD_MS), bridges short drops at any frame rate.
 */
export const MISS_FRAMES = 0;

/**
 * The camera's input size assumed before it is granted: what Chromium and Safari give without size constraints (the
 * fake camera's too). A camera granted before the warm-up built its tracker gets one for its own size; one of another
 * size granted later (a phone held upright may give 480×640) gets a tracker of its own after the grant, as before: the
 * kernels that do not depend on the input size (the detector's, on its fixed crop) are then compiled already, and the
 * rest took 0.7 s against 3.3-7.1 s for a first compile (SwiftShader, CPU throttled 4×, a probe page, 2026-12-07).
 */
export const LIKELY_INPUT = { width: 640, height: 480 } as const;

/** MindAR's per-frame callback, handed to a tracker built before the camera view knew what to do with its frames. */
type OnUpdate = (data: MindArUpdate) => void;

interface WarmTracker {
  controller: Controller;
  width: number;
  height: number;
  dimensions: [number, number][];
  /** Set when the camera view takes the tracker: its frames go there. */
  onUpdate: OnUpdate | null;
}

interface Warming {
  key: string;
  tracker: Promise<WarmTracker | null>;
  /** Dropped (releaseWarmTracker): the warm-up stops where it is. */
  released: boolean;
  /**
   * The granted camera's size, when a camera view took the warm-up before it built its tracker (the grant came while
   * the tracking data was still on its way): the tracker is then built for that size, a portrait one too.
   */
  input: { width: number; height: number } | null;
}

let warming: Warming | undefined;
const yieldToPage = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

/**
 * The 3D view's renderer, made during the camera prompt (warmUpTracker): a WebGL context and three.js' setup took
 * 0.3-1.0 s after the grant on SwiftShader with the CPU throttled 4×. Taken by the next camera view; one per page.
 */
let spareRenderer: WebGLRenderer | undefined;

function newRenderer(): WebGLRenderer {
  const renderer = new WebGLRenderer({ alpha: true, antialias: true });
  renderer.setPixelRatio(Math.min(window.devicePixelRatio, 2));
  renderer.domElement.className = 'arv-canvas';
  renderer.domElement.setAttribute('aria-hidden', 'true');
  return renderer;
}

function newController(width: number, height: number, onUpdate: OnUpdate): Controller {
  return new Controller({
    inputWidth: width,
    inputHeight: height,
    maxTrack: 1,
    warmupTolerance: WARMUP_FRAMES,
    missTolerance: MISS_FRAMES,
    // MindAR's filter barely smooths (pose-filter.ts): it passes poses through, and ours filters them.
    ...MINDAR_PASS_THROUGH,
    onUpdate,
  });
}

/**
 * Builds the tracker for LIKELY_INPUT and compiles its WebGL kernels on a blank frame (dummyRun, seconds on a software
 * GPU), while the visitor answers the camera prompt; startAr takes it when the camera has that size (or, granted before
 * the tracker was built, for the camera's size). Makes the 3D view's renderer first. Once per tracking data (by its
 * revision path); a failure here is left for startAr to meet and report.
 */
export function warmUpTracker(mindUrl: string): void {
  const key = targetCacheKey(mindUrl) ?? mindUrl;
  if (warming?.key === key) return;
  releaseWarmTracker();
  const entry: Warming = { key, tracker: Promise.resolve(null), released: false, input: null };
  entry.tracker = (async (): Promise<WarmTracker | null> => {
    markStep('warm-start');
    // The renderer first, while the tracking data may still be on its way; a failure is met again by startAr.
    await yieldToPage();
    if (entry.released) return null;
    if (!spareRenderer) {
      try {
        spareRenderer = newRenderer();
        // Sized for the stage, which fills the viewport (viewer.css): resizing a canvas reallocates its buffers.
        spareRenderer.setSize(window.innerWidth || 1, window.innerHeight || 1);
        markStep('renderer-warmed');
      } catch {
        // No WebGL for three.js: startAr reports it.
      }
    }
    const buffer = await preloadTarget(mindUrl);
    await yieldToPage();
    if (entry.released) return null;
    // The camera's size when it has been granted by now (noted at the grant, or by the camera view taking this).
    const { width, height } = entry.input ?? grantedCamera() ?? LIKELY_INPUT;
    const warm: WarmTracker = { controller: undefined!, width, height, dimensions: [], onUpdate: null };
    warm.controller = newController(width, height, (data) => warm.onUpdate?.(data));
    try {
      warm.dimensions = warm.controller.addImageTargetsFromBuffer(buffer).dimensions;
      await yieldToPage();
      if (entry.released) throw new Error('released');
      const blank = document.createElement('canvas');
      blank.width = width;
      blank.height = height;
      warm.controller.dummyRun(blank);
      markStep('warmed');
      return warm;
    } catch {
      warm.controller.dispose();
      return null;
    }
  })().catch(() => null);
  warming = entry;
}

/** Drops the tracker and renderer warmUpTracker made, unless a camera view took them. */
export function releaseWarmTracker(): void {
  const entry = warming;
  warming = undefined;
  if (entry) entry.released = true;
  void entry?.tracker.then((t) => t?.controller.dispose());
  spareRenderer?.dispose();
  spareRenderer = undefined;
}

/** The warmed tracker for this tracking data, when it was built for this input size; the caller then owns it. */
async function takeWarmTracker(mindUrl: string, width: number, height: number): Promise<WarmTracker | null> {
  const entry = warming;
  if (!entry || entry.key !== (targetCacheKey(mindUrl) ?? mindUrl)) return null;
  warming = undefined;
  // Taken, not dropped: a warm-up still waiting for the tracking data goes on, for this camera's size.
  entry.input = { width, height };
  const warm = await entry.tracker;
  if (warm && warm.width === width && warm.height === height) return warm;
  warm?.controller.dispose();
  return null;
}

export async function startAr(opts: ArOptions): Promise<ArSession> {
  const { container, stream, content, signal } = opts;
  const cleanup: (() => void)[] = [() => stream.getTracks().forEach((t) => t.stop())];
  const stop = () => {
    for (const fn of cleanup.splice(0).reverse()) {
      try {
        fn();
      } catch {
        // Tearing down: nothing left to tell anyone.
      }
    }
  };
  try {
    opts.onStage('loading');
    const [camera, buffer] = await Promise.all([cameraVideo(stream, container), loadTarget(opts.mindUrl, signal)]);
    cleanup.push(() => camera.remove());
    markStep('camera-and-target');
    if (signal.aborted) aborted(signal);

    let found = false;
    let everFound = false;
    let framesMarked = 0;
    let filter: PoseFilter | undefined;
    const hold = new PoseHold(HOLD_MS);
    const anchor = new Group();
    anchor.matrixAutoUpdate = false;
    anchor.visible = false;
    const world = new Matrix4();
    let plane = new Matrix4();

    // A tracker is built for one input size, and phones swap the camera's width and height when turned: a new size
    // gets a new tracker (the same target and stream), and the 3D view follows.
    type Tracker = {
      controller: Controller;
      width: number;
      height: number;
      proj: number[];
      dimensions: [number, number][];
      /** Its kernels are compiled already (warmUpTracker). */
      warmed: boolean;
    };
    let tracker: Tracker | undefined;
    const newTracker = (warm: WarmTracker | null = null): Tracker => {
      const [width, height] = [camera.videoWidth, camera.videoHeight];
      // MindAR reads the input size from the element's width/height attributes.
      camera.width = width;
      camera.height = height;
      let controller: Controller;
      const onUpdate: OnUpdate = (data) => {
        if (controller !== tracker?.controller) return; // a replaced tracker's last frame
        const now = performance.now();
        if (data.type === 'processDone') {
          // The frames before the photo was first found, for the benchmark's breakdown (a few; bounded all the same).
          if (!everFound && framesMarked < 100) {
            framesMarked++;
            markStep('frame');
          }
          // Lost for longer than the hold: the photo is gone.
          if (hold.expired(now)) {
            anchor.visible = false;
            filter?.reset();
            if (found) {
              found = false;
              opts.onTargetLost();
            }
          }
          if (!found) opts.onStage('scanning');
          return;
        }
        if (data.worldMatrix === null) {
          // Held where it was for a moment, in case it comes back (a hand, a glare).
          hold.lost(now);
          return;
        }
        hold.found();
        filter ??= new PoseFilter(markerSize, opts.widthMm);
        const shown = filter.filter(now, data.worldMatrix);
        container.dispatchEvent(
          new CustomEvent<PoseLogEntry>(POSE_EVENT, {
            detail: { t: now, raw: data.worldMatrix, shown, marker: markerSize, widthMm: opts.widthMm ?? null },
          }),
        );
        world.fromArray(shown).multiply(plane);
        anchor.matrix.copy(world);
        anchor.visible = true;
        if (!found) {
          found = true;
          everFound = true;
          markOnce('detected');
          opts.onStage('tracking');
          opts.onTargetFound();
        }
      };
      if (warm) {
        warm.onUpdate = onUpdate;
        controller = warm.controller;
        const proj = controller.getProjectionMatrix();
        return { controller, width, height, proj, dimensions: warm.dimensions, warmed: true };
      }
      controller = newController(width, height, onUpdate);
      markStep('controller');
      try {
        const { dimensions } = controller.addImageTargetsFromBuffer(buffer);
        markStep('targets-added');
        return { controller, width, height, proj: controller.getProjectionMatrix(), dimensions, warmed: false };
      } catch (err) {
        controller.dispose();
        throw new ArError('target', 'the tracking data could not be read', { cause: err });
      }
    };
    const run = (t: Tracker) => {
      try {
        // Compiles the WebGL kernels (a second or more on phones) before the first real frame, unless warmUpTracker did.
        if (!t.warmed) t.controller.dummyRun(camera);
        markStep('dummy-run');
      } catch (err) {
        throw new ArError('no-webgl', 'the tracker could not run on this GPU', { cause: err });
      }
      t.controller.processVideo(camera);
    };
    let markerSize = { width: 1, height: 1 };
    tracker = newTracker(await takeWarmTracker(opts.mindUrl, camera.videoWidth, camera.videoHeight));
    if (signal.aborted) {
      tracker.controller.dispose();
      aborted(signal);
    }
    cleanup.push(() => tracker?.controller.dispose());
    const [markerWidth, markerHeight] = tracker.dimensions[0] ?? [1, 1];
    markerSize = { width: markerWidth, height: markerHeight };
    plane = new Matrix4().fromArray(markerPlaneMatrix({ width: markerWidth, height: markerHeight }));

    markStep('tracker');
    // The renderer made during the camera prompt, else a new one.
    const rendererWarmed = !!spareRenderer;
    const renderer = spareRenderer ?? newRenderer();
    spareRenderer = undefined;
    container.append(renderer.domElement);
    cleanup.push(() => {
      renderer.setAnimationLoop(null);
      renderer.dispose();
      renderer.domElement.remove();
    });

    const scene = new Scene();
    const camera3d = new PerspectiveCamera();
    scene.add(anchor);
    const texture = new VideoTexture(content);
    texture.colorSpace = SRGBColorSpace;
    const geometry = new PlaneGeometry(1, markerHeight / markerWidth);
    const material = videoMaterial(texture, opts.look ?? {});
    const mesh = new Mesh(geometry, material);
    anchor.add(mesh);
    cleanup.push(() => {
      texture.dispose();
      geometry.dispose();
      material.dispose();
    });
    const fitTexture = () => {
      if (!content.videoWidth) return;
      const aspect = shownAspect(content.videoWidth, content.videoHeight, opts.look ?? {});
      const { repeat, offset } = coverUv(aspect, markerWidth / markerHeight);
      texture.repeat.set(...repeat);
      texture.offset.set(...offset);
    };
    fitTexture();
    content.addEventListener('loadedmetadata', fitTexture);
    cleanup.push(() => content.removeEventListener('loadedmetadata', fitTexture));

    // The poster, on the photo from the moment it is found until the video has a frame (fetched since the manifest). It
    // is keyed as the video is. A stacked-alpha video's poster is a plain frame without its matte (it would cover the photo
    // where the video is transparent), so such a video has none on the photo: the photo shows until the first frame.
    const posterMesh = new Mesh<PlaneGeometry, Material>(geometry, new MeshBasicMaterial({ toneMapped: false }));
    posterMesh.visible = false;
    anchor.add(posterMesh);
    let posterReady = false;
    if (opts.posterUrl && opts.look?.alphaLayout !== 'side-by-side') {
      new TextureLoader().setCrossOrigin('anonymous').load(
        opts.posterUrl,
        (poster) => {
          if (signal.aborted) return poster.dispose();
          poster.colorSpace = SRGBColorSpace;
          const image = poster.image as { width: number; height: number };
          const { repeat, offset } = coverUv(image.width / image.height, markerWidth / markerHeight);
          poster.repeat.set(...repeat);
          poster.offset.set(...offset);
          posterMesh.material.dispose();
          posterMesh.material = videoMaterial(poster, opts.look ?? {});
          posterReady = true;
          cleanup.push(() => poster.dispose());
        },
        undefined,
        () => undefined, // no poster: the photo shows through until the video's first frame, as before
      );
    }
    cleanup.push(() => posterMesh.material.dispose());

    const drawn = new Vector2();
    const resize = () => {
      if (!tracker) return;
      const { proj, width, height } = tracker;
      const { near, far } = clipPlanes(proj);
      const size = { width: container.clientWidth || 1, height: container.clientHeight || 1 };
      camera3d.fov = coverFov(proj, { width, height }, size);
      camera3d.aspect = size.width / size.height;
      camera3d.near = near;
      camera3d.far = far;
      camera3d.updateProjectionMatrix();
      // Only when it changed: a renderer made during the prompt has its size already.
      const now = renderer.getSize(drawn);
      if (now.x !== size.width || now.y !== size.height) renderer.setSize(size.width, size.height);
    };
    markStep('scene');
    resize();
    markStep('renderer');
    const observer = new ResizeObserver(resize);
    observer.observe(container);
    cleanup.push(() => observer.disconnect());

    run(tracker);
    if (signal.aborted) aborted(signal);
    markOnce('engine');
    container.dataset.input = `${tracker.width}x${tracker.height}`;
    // Whether the tracker built during the camera prompt was used: for the tests and for debugging on a phone.
    container.dataset.tracker = tracker.warmed ? 'warmed' : 'built';
    container.dataset.renderer = rendererWarmed ? 'warmed' : 'built';

    // The feed changed size (the phone was turned): the photo is lost until the new tracker finds it.
    const onCameraResize = () => {
      if (
        !tracker ||
        (camera.videoWidth === tracker.width && camera.videoHeight === tracker.height) ||
        !camera.videoWidth
      )
        return;
      tracker.controller.dispose();
      tracker = undefined;
      anchor.visible = false;
      filter?.reset();
      hold.found();
      if (found) {
        found = false;
        opts.onTargetLost();
      }
      opts.onStage('scanning');
      try {
        tracker = newTracker();
        resize();
        run(tracker);
        container.dataset.input = `${tracker.width}x${tracker.height}`;
        container.dataset.tracker = 'built';
      } catch (err) {
        stop();
        opts.onFailure(err instanceof ArError ? err : new ArError('failed', String(err), { cause: err }));
      }
    };
    camera.addEventListener('resize', onCameraResize);
    cleanup.push(() => camera.removeEventListener('resize', onCameraResize));

    // Whether the video has had a frame since its source was (re)loaded: the texture keeps that frame while the element
    // waits for data (a loop's seek back to the start, a stall), so the poster does not flash back over it.
    let hadFrame = false;
    const onEmptied = () => (hadFrame = false);
    content.addEventListener('emptied', onEmptied);
    cleanup.push(() => content.removeEventListener('emptied', onEmptied));
    renderer.setAnimationLoop(() => {
      // The photo itself stays in view until the video has a frame to show (else the plane would be black).
      hadFrame ||= content.readyState >= content.HAVE_CURRENT_DATA;
      mesh.visible = hadFrame;
      posterMesh.visible = !mesh.visible && posterReady;
      // What the plane shows, for tests and for debugging on a phone.
      const plane = mesh.visible ? 'video' : posterMesh.visible ? 'poster' : 'none';
      if (container.dataset.plane !== plane) container.dataset.plane = plane;
      renderer.render(scene, camera3d);
      if (anchor.visible && mesh.visible && !content.paused && content.currentTime > 0) markOnce('firstFrame');
    });
    return { stop };
  } catch (err) {
    stop();
    throw err instanceof ArError
      ? err
      : new ArError('failed', err instanceof Error ? err.message : String(err), { cause: err });
  }
}
