// The video's material on the photo: the frame as it is, or made transparent where the video says so, so the printed
// photo (the camera feed behind the canvas) shows through:
// - a chroma key (a green screen): pixels near the key colour in chroma (BT.601 Cb/Cr, so shading of the screen does not
//   matter) are keyed out, with a soft edge (smoothstep) over `softness` above `tolerance`;
// - a stacked-alpha video (the pipeline's rendition of a ProRes 4444 or VP9-alpha upload): colour on the left half, its
//   matte (white = opaque) on the right half, composed as colour × matte.
import { CHROMA_SOFTNESS_DEFAULT, chromaRgb, type ChromaKey } from '@arvlite/contract';
import { ShaderMaterial, Vector2, type Texture } from 'three';

export type AlphaLayout = 'side-by-side';

export interface VideoLook {
  chromaKey?: ChromaKey | null;
  /** The video carries its matte beside its colour. */
  alphaLayout?: AlphaLayout | null;
}

/** The largest chroma distance between two sRGB colours (green and magenta): tolerance 1 spans it. */
const CHROMA_RANGE = 1.07;

/** Cb/Cr of an sRGB colour (0..1), BT.601: what the shader compares. */
export function chroma([r, g, b]: readonly [number, number, number]): [number, number] {
  return [-0.168736 * r - 0.331264 * g + 0.5 * b, 0.5 * r - 0.418688 * g - 0.081312 * b];
}

/** The shader's opacity for an sRGB pixel under a key, in JavaScript (for tests and for reading the rule). */
export function keyedAlpha(rgb: readonly [number, number, number], key: ChromaKey): number {
  const [u, v] = chroma(rgb);
  const [ku, kv] = chroma(chromaRgb(key.color));
  const d = Math.hypot(u - ku, v - kv) / CHROMA_RANGE;
  const lo = key.tolerance;
  const hi = key.tolerance + Math.max(key.softness ?? CHROMA_SOFTNESS_DEFAULT, 1e-4);
  const t = Math.min(1, Math.max(0, (d - lo) / (hi - lo)));
  return t * t * (3 - 2 * t);
}

const vertexShader = /* glsl */ `
varying vec2 vUv;
void main() {
  vUv = uv;
  gl_Position = projectionMatrix * modelViewMatrix * vec4(position, 1.0);
}`;

const fragmentShader = /* glsl */ `
uniform sampler2D map;
uniform mat3 uvTransform;
uniform bool keyed;
uniform vec2 keyChroma;
uniform float tolerance;
uniform float softness;
uniform bool stacked;
varying vec2 vUv;

vec2 chroma(vec3 c) {
  return vec2(-0.168736 * c.r - 0.331264 * c.g + 0.5 * c.b, 0.5 * c.r - 0.418688 * c.g - 0.081312 * c.b);
}

void main() {
  vec2 uv = (uvTransform * vec3(vUv, 1.0)).xy;
  // three.js uploads video frames as they are (sRGB) and decodes them in its own shaders (DECODE_VIDEO_TEXTURE):
  // samples here are sRGB, as the key colour is; the colour is made linear for the output below.
  vec4 color;
  float alpha = 1.0;
  if (stacked) {
    // Colour on the left half, matte on the right half, sampled at the same spot of each.
    color = texture2D(map, vec2(uv.x * 0.5, uv.y));
    alpha = texture2D(map, vec2(0.5 + uv.x * 0.5, uv.y)).g;
  } else {
    color = texture2D(map, uv);
  }
  if (keyed) {
    float d = distance(chroma(color.rgb), keyChroma) / ${CHROMA_RANGE.toFixed(3)};
    alpha *= smoothstep(tolerance, tolerance + softness, d);
  }
  gl_FragColor = vec4(sRGBTransferEOTF(color).rgb, alpha);
  #include <tonemapping_fragment>
  #include <colorspace_fragment>
}`;

/**
 * The plane's material for `texture` (a video texture whose repeat/offset fit it to the photo): MeshBasicMaterial's
 * look when nothing is transparent, else a transparent ShaderMaterial keying out what `look` says.
 */
export function videoMaterial(texture: Texture, look: VideoLook): ShaderMaterial {
  const key = look.chromaKey ?? null;
  const stacked = look.alphaLayout === 'side-by-side';
  const [ku, kv] = key ? chroma(chromaRgb(key.color)) : [0, 0];
  const material = new ShaderMaterial({
    uniforms: {
      map: { value: texture },
      uvTransform: { value: texture.matrix },
      keyed: { value: !!key },
      keyChroma: { value: new Vector2(ku, kv) },
      tolerance: { value: key?.tolerance ?? 0 },
      softness: { value: Math.max(key?.softness ?? CHROMA_SOFTNESS_DEFAULT, 1e-4) },
      stacked: { value: stacked },
    },
    vertexShader,
    fragmentShader,
    transparent: !!key || stacked,
    toneMapped: false,
  });
  // ShaderMaterial does not refresh a texture's matrix from its repeat/offset by itself.
  material.onBeforeRender = () => {
    if (texture.matrixAutoUpdate) texture.updateMatrix();
  };
  return material;
}

/** The video's aspect as shown: half its width when its matte is stacked beside it. */
export function shownAspect(width: number, height: number, look: VideoLook): number {
  return (look.alphaLayout === 'side-by-side' ? width / 2 : width) / height;
}
