// Web: videos come from a file input (expo-image-picker's web picker), and are read with Blob.slice. A reload loses
// the File, so an interrupted upload asks for the same file again.
import { videoContentTypeOf, type UploadSource } from '@arvlite/client';
import * as ImagePicker from 'expo-image-picker';
import { UserError } from '../lib/user-error.ts';
import type { PickedVideo } from '../operator/upload-queue.ts';

const picked = new Map<string, File>();

export const canRecordVideo = false;

export async function pickVideo(_mode: 'library' | 'camera' = 'library'): Promise<PickedVideo | null> {
  const result = await ImagePicker.launchImageLibraryAsync({ mediaTypes: ['videos'], allowsMultipleSelection: false });
  const asset = result.canceled ? undefined : result.assets[0];
  const file = asset?.file;
  if (!asset || !file) return null;
  const contentType = videoContentTypeOf({ name: file.name, type: file.type });
  if (!contentType) throw new UserError('notAVideo', { name: file.name });
  picked.set(asset.uri, file);
  return { uri: asset.uri, name: file.name, size: file.size, contentType };
}

export async function openSource(video: PickedVideo): Promise<UploadSource | null> {
  const file = picked.get(video.uri);
  if (!file) return null;
  return { size: file.size, slice: (start, end) => file.slice(start, end) };
}

/** Storage PUTs: plain fetch in a browser. */
export const uploadFetch: typeof fetch = (input, init) => fetch(input, init);

export async function releaseVideo(video: PickedVideo): Promise<void> {
  picked.delete(video.uri);
}
