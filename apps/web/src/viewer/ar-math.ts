// The geometry that lines the 3D scene up with the camera feed, and the video up with the photo. Pure, so it is tested
// without a GPU.

export interface Size {
  width: number;
  height: number;
}

/**
 * Vertical field of view (degrees) of a three.js camera that matches MindAR's projection when the camera feed is
 * shown with `object-fit: cover` in `container`: the container shows `container.height / shownHeight` of the feed.
 * `proj` is MindAR's column-major OpenGL projection; `proj[5]` is 1 / tan(fovY / 2) of the whole feed.
 */
export function coverFov(proj: readonly number[], input: Size, container: Size): number {
  const scale = Math.max(container.width / input.width, container.height / input.height);
  const shownHeight = input.height * scale;
  return (2 * Math.atan((1 / proj[5]!) * (container.height / shownHeight)) * 180) / Math.PI;
}

/** Near and far planes encoded in an OpenGL projection matrix. */
export function clipPlanes(proj: readonly number[]): { near: number; far: number } {
  return { near: proj[14]! / (proj[10]! - 1), far: proj[14]! / (proj[10]! + 1) };
}

/**
 * Texture repeat and offset that fill a plane of `planeAspect` (width / height) with a video of `videoAspect` without
 * stretching: the video is cropped evenly on the sides that do not fit, as CSS `object-fit: cover` would.
 */
export function coverUv(
  videoAspect: number,
  planeAspect: number,
): { repeat: [number, number]; offset: [number, number] } {
  if (!(videoAspect > 0) || !(planeAspect > 0)) return { repeat: [1, 1], offset: [0, 0] };
  if (videoAspect > planeAspect) {
    const x = planeAspect / videoAspect;
    return { repeat: [x, 1], offset: [(1 - x) / 2, 0] };
  }
  const y = videoAspect / planeAspect;
  return { repeat: [1, y], offset: [0, (1 - y) / 2] };
}

/**
 * MindAR's world matrix puts the photo's top-left corner at the origin, in photo pixels, y up. A plane of width 1 and
 * height h / w centred on the origin covers the photo after this transform (column-major 4×4): scale by the width,
 * then move its centre to the photo's centre.
 */
export function markerPlaneMatrix(marker: Size): number[] {
  const s = marker.width;
  return [s, 0, 0, 0, 0, s, 0, 0, 0, 0, s, 0, marker.width / 2, marker.height / 2, 0, 1];
}
