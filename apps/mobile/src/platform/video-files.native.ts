// Device: a picked or recorded video is copied into the app's documents first (the picker's copy is temporary and
// may be gone after a restart), read in byte ranges, and each part is PUT through a background URL session, which
// the OS carries on while the app is in the background.
import { videoContentTypeOf, type UploadSource } from '@arvlite/client';
import { Directory, File, Paths, UploadType } from 'expo-file-system';
import * as ImagePicker from 'expo-image-picker';
import { UserError } from '../lib/user-error.ts';
import type { PickedVideo } from '../operator/upload-queue.ts';

const uploadsDir = () => {
  const d = new Directory(Paths.document, 'uploads');
  if (!d.exists) d.create({ intermediates: true, idempotent: true });
  return d;
};

export const canRecordVideo = true;

export async function pickVideo(mode: 'library' | 'camera' = 'library'): Promise<PickedVideo | null> {
  const options: ImagePicker.ImagePickerOptions = {
    mediaTypes: ['videos'],
    allowsMultipleSelection: false,
    videoQuality: ImagePicker.UIImagePickerControllerQualityType.High,
  };
  if (mode === 'camera') {
    const permission = await ImagePicker.requestCameraPermissionsAsync();
    if (!permission.granted) throw new UserError('cameraForRecording');
  }
  const result =
    mode === 'camera'
      ? await ImagePicker.launchCameraAsync(options)
      : await ImagePicker.launchImageLibraryAsync(options);
  const asset = result.canceled ? undefined : result.assets[0];
  if (!asset) return null;
  const source = new File(asset.uri);
  const name = asset.fileName ?? source.name;
  const contentType = videoContentTypeOf({ name, type: asset.mimeType });
  if (!contentType) throw new UserError('notAVideo', { name });
  const kept = new File(uploadsDir(), `${Date.now()}-${name.replace(/[^A-Za-z0-9._-]/g, '_')}`);
  source.copy(kept);
  return { uri: kept.uri, name, size: kept.size, contentType };
}

export async function openSource(video: PickedVideo): Promise<UploadSource | null> {
  const file = new File(video.uri);
  if (!file.exists) return null;
  return {
    size: file.size,
    slice: (start, end) => {
      const handle = file.open();
      try {
        handle.offset = start;
        return handle.readBytes(end - start);
      } finally {
        handle.close();
      }
    },
  };
}

/** A fetch for storage PUTs only: writes the part to a temporary file and uploads it in a background session. */
export const uploadFetch: typeof fetch = async (input, init) => {
  const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
  const body = init?.body;
  if (init?.method !== 'PUT' || !(body instanceof Uint8Array)) return fetch(input, init);
  const part = new File(Paths.cache, `part-${Date.now()}-${Math.random().toString(36).slice(2)}`);
  part.create();
  part.write(body);
  try {
    const headers = Object.fromEntries(new Headers(init.headers).entries());
    const result = await part.upload(url, {
      httpMethod: 'PUT',
      uploadType: UploadType.BINARY_CONTENT,
      sessionType: 'background',
      headers,
      signal: init.signal ?? undefined,
    });
    return new Response(null, { status: result.status, headers: result.headers });
  } finally {
    if (part.exists) part.delete();
  }
};

export async function releaseVideo(video: PickedVideo): Promise<void> {
  const file = new File(video.uri);
  if (file.exists) file.delete();
}
