// English texts of the public viewer (namespace `viewer`); ru.ts has the same keys. Kept apart from the dashboard's
// catalog so a scanned code downloads only these.
export const viewer = {
  loading: 'Loading…',
  documentTitle: '{{title}} · ARVlite',
  brand: 'ARVlite',
  language: 'Language',
  reasons: {
    NOT_FOUND: {
      headline: 'Nothing to see here',
      detail: 'This code or link does not lead to a video. It may be mistyped, not live yet, or taken down.',
      action: 'Scan the code again, or ask whoever gave you the print.',
    },
    COMPANY_SUSPENDED: {
      headline: 'Not available at the moment',
      detail: 'The account behind this code is paused by the service operator. Nothing has been removed.',
      action: 'Please try again later, or contact whoever gave you the print.',
    },
    EXPIRED: {
      headline: 'This video has expired',
      detail: 'It could be watched for a limited time, and that time is over.',
      action: 'If you would like to see it again, contact whoever gave you the print.',
    },
    MARKER_PROCESSING: {
      headline: 'Almost ready',
      detail: 'This photo is still being prepared for viewing. That usually takes less than a minute.',
      action: 'Keep this page open: it tries again by itself.',
    },
    NO_PLAYABLE_VIDEO: {
      headline: 'No video right now',
      detail:
        'There is no video to show for this photo at the moment: it may still be processing, or none is scheduled.',
      action: 'Please try again later.',
    },
    TOO_MANY_REQUESTS: {
      headline: 'Too many requests',
      detail: 'This connection has asked for videos very often in the last minute.',
      action: 'Wait a minute, then try again.',
    },
    LOAD_FAILED: {
      headline: 'Could not load the video',
      detail: 'ARVlite could not be reached, or had a problem answering.',
      action: 'Check your connection and try again.',
    },
  },
  tryAgain: 'Try again',
  playWithoutCamera: 'Play without camera',
  useCamera: 'Use the camera',
  soundOn: 'Turn sound on',
  playVideo: 'Play video',
  videoLabel: 'Video: {{title}}',
  stage: {
    camera: 'Starting the camera…',
    loading: 'Getting ready…',
    scanning: 'Point your camera at the photo',
    tracking: 'Playing',
  },
  failure: {
    insecure: 'The camera is only available over a secure (https) connection, so the video plays here instead.',
    'no-camera-api': 'This browser cannot use the camera, so the video plays here instead.',
    'no-webgl': 'This browser cannot show 3D graphics (WebGL), so the video plays here instead.',
    denied:
      'Camera access was not allowed, so the video plays here instead. To use the camera, allow it in your browser settings and reload.',
    'no-camera': 'No camera was found, so the video plays here instead.',
    busy: 'The camera is in use by another app, so the video plays here instead.',
    target: 'The photo’s tracking data could not be loaded, so the video plays here instead.',
    failed: 'The camera view could not start, so the video plays here instead.',
  },
  videoError: {
    unsupported: 'This video cannot be played in this browser.',
    load: 'This video could not be loaded.',
  },
} as const;
