// The root: wires services once, opens deep links (arvlite://v/{publicId}, or /v/{publicId} on the web), and keeps
// the screen stack.
import * as Linking from 'expo-linking';
import { StatusBar } from 'expo-status-bar';
import { useCallback, useEffect, useMemo, useState } from 'react';
import { AppState, BackHandler, Platform, View } from 'react-native';
import { NavigationContext, pathOf, type Navigator, type Route } from './navigation.ts';
import { LanguageProvider } from './i18n/language-provider.tsx';
import { appStore } from './platform/stores';
import { HomeScreen } from './screens/home-screen.tsx';
import { ProjectScreen } from './screens/project-screen.tsx';
import { ProjectsScreen } from './screens/projects-screen.tsx';
import { ScanScreen } from './screens/scan-screen.tsx';
import { SignInScreen } from './screens/sign-in-screen.tsx';
import { VideoScreen } from './screens/video-screen.tsx';
import { ViewerScreen } from './screens/viewer-screen.tsx';
import { createServices } from './services.ts';
import { ServicesContext } from './services-context.ts';
import { colors } from './ui/theme.ts';
import { publicIdFrom } from './viewer/public-id.ts';

function initialRoute(): Route {
  if (Platform.OS !== 'web' || typeof window === 'undefined') return { name: 'home' };
  const id = publicIdFrom(window.location.pathname);
  if (id) return { name: 'viewer', publicId: id };
  if (window.location.pathname === '/sign-in') return { name: 'sign-in' };
  return { name: 'home' };
}

export function App() {
  const services = useMemo(createServices, []);
  const [stack, setStack] = useState<Route[]>(() => [initialRoute()]);
  const route = stack[stack.length - 1]!;

  const nav: Navigator = useMemo(
    () => ({
      route,
      push: (r) => setStack((s) => [...s, r]),
      replace: (r) => setStack((s) => [...s.slice(0, -1), r]),
      back: () => setStack((s) => (s.length > 1 ? s.slice(0, -1) : s)),
      reset: (r) => setStack([r]),
      canGoBack: stack.length > 1,
    }),
    [route, stack.length],
  );

  // Deep links while the app runs, and the one that launched it.
  const url = Linking.useLinkingURL();
  const openLink = useCallback((link: string | null) => {
    const id = publicIdFrom(link);
    if (id)
      setStack((s) => [...s.filter((r) => r.name !== 'viewer' && r.name !== 'scan'), { name: 'viewer', publicId: id }]);
  }, []);
  useEffect(() => {
    if (Platform.OS !== 'web') openLink(url);
  }, [url, openLink]);

  useEffect(() => {
    if (Platform.OS === 'web' && typeof window !== 'undefined' && window.location.pathname !== pathOf(route)) {
      window.history.replaceState(null, '', pathOf(route));
    }
  }, [route]);

  useEffect(() => {
    if (Platform.OS !== 'android') return;
    const sub = BackHandler.addEventListener('hardwareBackPress', () => {
      if (stack.length <= 1) return false;
      nav.back();
      return true;
    });
    return () => sub.remove();
  }, [nav, stack.length]);

  // Queued view sessions and interrupted uploads go out on start and whenever the app returns to the foreground.
  useEffect(() => {
    const resume = () => {
      services.flushSessions();
      void services.session.restore().then((signedIn) => (signedIn ? services.uploads.resumeAll() : undefined));
    };
    resume();
    const sub = AppState.addEventListener('change', (s) => s === 'active' && resume());
    return () => sub.remove();
  }, [services]);

  return (
    <ServicesContext.Provider value={services}>
      <NavigationContext.Provider value={nav}>
        <View style={{ flex: 1, backgroundColor: colors.background }}>
          <StatusBar style="light" />
          <LanguageProvider store={appStore}>
            <CurrentScreen route={route} />
          </LanguageProvider>
        </View>
      </NavigationContext.Provider>
    </ServicesContext.Provider>
  );
}

function CurrentScreen({ route }: { route: Route }) {
  switch (route.name) {
    case 'home':
      return <HomeScreen />;
    case 'scan':
      return <ScanScreen />;
    case 'viewer':
      return <ViewerScreen key={route.publicId} publicId={route.publicId} />;
    case 'sign-in':
      return <SignInScreen />;
    case 'projects':
      return <ProjectsScreen />;
    case 'project':
      return <ProjectScreen key={route.projectId} projectId={route.projectId} projectName={route.projectName} />;
    case 'video':
      return <VideoScreen key={route.videoId} videoId={route.videoId} title={route.title} />;
  }
}
