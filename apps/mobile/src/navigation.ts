// The app's screens as plain data: a small stack is all this app needs, and it works the same on web and devices.
import { createContext, useContext } from 'react';

export type Route =
  | { name: 'home' }
  | { name: 'scan' }
  | { name: 'viewer'; publicId: string }
  | { name: 'sign-in' }
  | { name: 'projects' }
  | { name: 'project'; projectId: string; projectName: string }
  | { name: 'video'; videoId: string; title: string };

export interface Navigator {
  route: Route;
  push(route: Route): void;
  /** Replaces the current screen (a scan result replaces the scanner). */
  replace(route: Route): void;
  back(): void;
  /** Starts over with this screen alone. */
  reset(route: Route): void;
  canGoBack: boolean;
}

export const NavigationContext = createContext<Navigator | null>(null);

export function useNavigation(): Navigator {
  const nav = useContext(NavigationContext);
  if (!nav) throw new Error('useNavigation outside the app');
  return nav;
}

/** The path the web build shows for a screen, so a reload or a shared link opens it again. */
export function pathOf(route: Route): string {
  return route.name === 'viewer' ? `/v/${route.publicId}` : route.name === 'home' ? '/' : `/${route.name}`;
}
