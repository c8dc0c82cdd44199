// The camera view: MindAR (TensorFlow.js on WebGL) finds the photo in the camera feed, and three.js draws the video on
// a plane laid over it. Loaded on demand only, after the camera has been granted: it is most of the viewer's bytes.
import { Controller } from 'mind-ar/dist/mindar-image.prod.js';
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
  VideoTexture,
  WebGLRenderer,
  type Material,
} from 'three';
import { clipPlanes, coverFov, coverUv, markerPlaneMatrix } from './ar-math.ts';
import type { ArFailure } from './capabilities.ts';
import { shownAspect, videoMaterial, type VideoLook } from './chroma-material.ts';
import { HOLD_MS, MINDAR_PASS_THROUGH, PoseFilter, PoseHold } from './pose-filter.ts';
import { preloadTarget, TargetFetchError } from './preload.ts';
import { markOnce } from './viewer-timings.ts';

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
    if (signal.aborted) aborted(signal);

    let found = false;
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
    };
    let tracker: Tracker | undefined;
    const newTracker = (): Tracker => {
      const [width, height] = [camera.videoWidth, camera.videoHeight];
      // MindAR reads the input size from the element's width/height attributes.
      camera.width = width;
      camera.height = height;
      const controller: Controller = new Controller({
        inputWidth: width,
        inputHeight: height,
        maxTrack: 1,
        // MindAR's filter barely smooths (pose-filter.ts): it passes poses through, and ours filters them.
        ...MINDAR_PASS_THROUGH,
        onUpdate: (data) => {
          if (controller !== tracker?.controller) return; // a replaced tracker's last frame
          const now = performance.now();
          if (data.type === 'processDone') {
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
            markOnce('detected');
            opts.onStage('tracking');
            opts.onTargetFound();
          }
        },
      });
      try {
        const { dimensions } = controller.addImageTargetsFromBuffer(buffer);
        return { controller, width, height, proj: controller.getProjectionMatrix(), dimensions };
      } catch (err) {
        controller.dispose();
        throw new ArError('target', 'the tracking data could not be read', { cause: err });
      }
    };
    const run = (t: Tracker) => {
      try {
        // Compiles the WebGL kernels (a second or more on phones) before the first real frame.
        t.controller.dummyRun(camera);
      } catch (err) {
        throw new ArError('no-webgl', 'the tracker could not run on this GPU', { cause: err });
      }
      t.controller.processVideo(camera);
    };
    let markerSize = { width: 1, height: 1 };
    tracker = newTracker();
    cleanup.push(() => tracker?.controller.dispose());
    const [markerWidth, markerHeight] = tracker.dimensions[0] ?? [1, 1];
    markerSize = { width: markerWidth, height: markerHeight };
    plane = new Matrix4().fromArray(markerPlaneMatrix({ width: markerWidth, height: markerHeight }));

    const renderer = new WebGLRenderer({ alpha: true, antialias: true });
    renderer.setPixelRatio(Math.min(window.devicePixelRatio, 2));
    renderer.domElement.className = 'arv-canvas';
    renderer.domElement.setAttribute('aria-hidden', 'true');
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
      renderer.setSize(size.width, size.height);
    };
    resize();
    const observer = new ResizeObserver(resize);
    observer.observe(container);
    cleanup.push(() => observer.disconnect());

    run(tracker);
    if (signal.aborted) aborted(signal);
    markOnce('engine');
    container.dataset.input = `${tracker.width}x${tracker.height}`;

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
