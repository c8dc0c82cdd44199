// The camera view: MindAR (TensorFlow.js on WebGL) finds the photo in the camera feed, and three.js draws the video on
// a plane laid over it. Loaded on demand only, after the camera has been granted: it is most of the viewer's bytes.
import { Controller } from 'mind-ar/dist/mindar-image.prod.js';
import {
  Group,
  Matrix4,
  Mesh,
  PerspectiveCamera,
  PlaneGeometry,
  Scene,
  SRGBColorSpace,
  VideoTexture,
  WebGLRenderer,
} from 'three';
import { clipPlanes, coverFov, coverUv, markerPlaneMatrix } from './ar-math.ts';
import type { ArFailure } from './capabilities.ts';
import { shownAspect, videoMaterial, type VideoLook } from './chroma-material.ts';

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

async function loadTarget(mindUrl: string, signal: AbortSignal): Promise<ArrayBuffer> {
  let res: Response;
  try {
    res = await fetch(mindUrl, { signal });
  } catch (err) {
    if (signal.aborted) aborted(signal);
    throw new ArError('target', 'the tracking data could not be fetched', { cause: err });
  }
  if (!res.ok) throw new ArError('target', `the tracking data answered ${res.status}`);
  return res.arrayBuffer();
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
        onUpdate: (data) => {
          if (controller !== tracker?.controller) return; // a replaced tracker's last frame
          if (data.type === 'processDone') {
            if (!found) opts.onStage('scanning');
            return;
          }
          if (data.worldMatrix === null) {
            anchor.visible = false;
            if (found) {
              found = false;
              opts.onStage('scanning');
              opts.onTargetLost();
            }
            return;
          }
          world.fromArray(data.worldMatrix).multiply(plane);
          anchor.matrix.copy(world);
          anchor.visible = true;
          if (!found) {
            found = true;
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
    tracker = newTracker();
    cleanup.push(() => tracker?.controller.dispose());
    const [markerWidth, markerHeight] = tracker.dimensions[0] ?? [1, 1];
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

    renderer.setAnimationLoop(() => {
      // The photo itself stays in view until the video has a frame to show (else the plane would be black).
      mesh.visible = content.readyState >= content.HAVE_CURRENT_DATA;
      renderer.render(scene, camera3d);
    });
    return { stop };
  } catch (err) {
    stop();
    throw err instanceof ArError
      ? err
      : new ArError('failed', err instanceof Error ? err.message : String(err), { cause: err });
  }
}
