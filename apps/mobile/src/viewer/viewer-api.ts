// The public viewer procedures (no account), typed from the real router: renaming one, or changing what it takes,
// breaks this app's typecheck.
import type { ArvliteClient, RouterInputs } from '@arvlite/client';

export type StartSessionInput = RouterInputs['viewer']['startSession'];
export type DeviceInfo = StartSessionInput['device'];
export type EndSessionInput = RouterInputs['viewer']['endSession'];

export function fetchManifest(client: ArvliteClient, publicId: string): Promise<unknown> {
  return client.viewer.manifest.query({ publicId });
}

export function sessionSender(client: ArvliteClient) {
  return {
    start: async (input: StartSessionInput) => (await client.viewer.startSession.mutate(input)).sessionId,
    end: async (input: EndSessionInput) => {
      await client.viewer.endSession.mutate(input);
    },
  };
}
