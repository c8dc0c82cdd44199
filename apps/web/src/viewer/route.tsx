// /v/:publicId inside the dashboard (the Vite dev server, which serves index.html for every path): the viewer page,
// loaded on demand so the dashboard bundle never holds it. Built, apps/server serves viewer.html for /v/ instead.
import { lazy, Suspense } from 'react';

const ViewerPage = lazy(() => import('./viewer-page.tsx'));

export function ViewerRoute({ publicId }: { publicId: string }) {
  return (
    <Suspense fallback={null}>
      <ViewerPage publicId={publicId} />
    </Suspense>
  );
}
