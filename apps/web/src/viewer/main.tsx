// Entry of viewer.html: the public viewer alone, without the dashboard, its styles or its session.
import '../strict-csp.ts';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { prefetchEngineForCamera } from './preload.ts';
import ViewerPage from './viewer-page.tsx';

// The engine chunk starts downloading now, in parallel with the manifest, when a camera will likely be granted.
void prefetchEngineForCamera();

/** `/v/:publicId`; anything else is an id the API will not know, which the page explains like any unknown one. */
function publicIdFromPath(pathname: string): string {
  const match = /^\/v\/([^/]+)\/?$/.exec(pathname);
  try {
    return match ? decodeURIComponent(match[1]!) : '';
  } catch {
    return '';
  }
}

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <ViewerPage publicId={publicIdFromPath(window.location.pathname)} />
  </StrictMode>,
);
