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
  VideoTexture,
  WebGLRenderer,
} from 'three';
import { clipPlanes, coverFov, coverUv, markerPlaneMatrix } from './ar-math.ts';
import type { ArFailure } from './capabilities.ts';

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
  signal: AbortSignal;
  onStage(stage: ArStage): void;
  onTargetFound(): void;
  onTargetLost(): void;
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
  video.setAttribute('aria-hidden', 'true');
  video.srcObject = stream;
  container.prepend(video);
  await new Promise<void>((resolve, reject) => {
    video.addEventListener('loadedmetadata', () => resolve(), { once: true });
    video.addEventListener('error', () => reject(new ArError('failed', 'the camera feed did not start')), { once: true });
  });
  await video.play();
  // MindAR reads the input size from the element's width/height attributes.
  video.width = video.videoWidth;
  video.height = video.videoHeight;
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
    const controller = new Controller({
      inputWidth: camera.videoWidth,
      inputHeight: camera.videoHeight,
      maxTrack: 1,
      onUpdate: (data) => {
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
    cleanup.push(() => controller.dispose());

    let dimensions: [number, number][];
    try {
      ({ dimensions } = controller.addImageTargetsFromBuffer(buffer));
    } catch (err) {
      throw new ArError('target', 'the tracking data could not be read', { cause: err });
    }
    const [markerWidth, markerHeight] = dimensions[0] ?? [1, 1];
    const plane = new Matrix4().fromArray(markerPlaneMatrix({ width: markerWidth, height: markerHeight }));

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
    const material = new MeshBasicMaterial({ map: texture, toneMapped: false });
    const mesh = new Mesh(geometry, material);
    anchor.add(mesh);
    cleanup.push(() => {
      texture.dispose();
      geometry.dispose();
      material.dispose();
    });
    const fitTexture = () => {
      if (!content.videoWidth) return;
      const { repeat, offset } = coverUv(content.videoWidth / content.videoHeight, markerWidth / markerHeight);
      texture.repeat.set(...repeat);
      texture.offset.set(...offset);
    };
    fitTexture();
    content.addEventListener('loadedmetadata', fitTexture);
    cleanup.push(() => content.removeEventListener('loadedmetadata', fitTexture));

    const proj = controller.getProjectionMatrix();
    const { near, far } = clipPlanes(proj);
    const resize = () => {
      const size = { width: container.clientWidth || 1, height: container.clientHeight || 1 };
      camera3d.fov = coverFov(proj, { width: camera.videoWidth, height: camera.videoHeight }, size);
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

    try {
      // Compiles the WebGL kernels (a second or more on phones) before the first real frame.
      controller.dummyRun(camera);
    } catch (err) {
      throw new ArError('no-webgl', 'the tracker could not run on this GPU', { cause: err });
    }
    if (signal.aborted) aborted(signal);
    controller.processVideo(camera);
    cleanup.push(() => controller.stopProcessVideo());
    renderer.setAnimationLoop(() => {
      // The photo itself stays in view until the video has a frame to show (else the plane would be black).
      mesh.visible = content.readyState >= content.HAVE_CURRENT_DATA;
      renderer.render(scene, camera3d);
    });
    return { stop };
  } catch (err) {
    stop();
    throw err instanceof ArError ? err : new ArError('failed', err instanceof Error ? err.message : String(err), { cause: err });
  }
}
