// Providers and routes. Pages under /c/:companyId need a session; the rest are public.
import { createTheme, Loader, MantineProvider } from '@mantine/core';
import { DatesProvider } from '@mantine/dates';
import { Notifications } from '@mantine/notifications';
import { QueryClientProvider } from '@tanstack/react-query';
import { lazy, Suspense, type ReactNode } from 'react';
import { I18nextProvider, useTranslation } from 'react-i18next';
import { Redirect, Route, Switch, useLocation } from 'wouter';
import { queryClient } from './api.ts';
import { useSignedIn } from './auth/use-session.ts';
import { Shell } from './components/shell.tsx';
import { i18n } from './i18n/dashboard.ts';
import { AuditPage } from './pages/audit.tsx';
import { CompanySettingsPage, HomePage, NewCompanyPage } from './pages/companies.tsx';
import {
  AppCallbackPage,
  ForgotPasswordPage,
  OidcCallbackPage,
  ResetPasswordPage,
  VerifyEmailPage,
} from './pages/account-links.tsx';
import { InvitePage } from './pages/invite.tsx';
import { MembersPage } from './pages/members.tsx';
import { NotFoundPage } from './pages/not-found.tsx';
import { NotificationSettingsPage } from './pages/notification-settings.tsx';
import { ProjectPage } from './pages/project.tsx';
import { ProfilePage } from './pages/profile.tsx';
import { ProjectsPage } from './pages/projects.tsx';
import { SignInPage, SignUpPage } from './pages/sign-in.tsx';
import { ViewerRoute } from './viewer/route.tsx';

// Pages with heavy dependencies of their own (the player, date pickers, charts) load when first opened.
const VideoPage = lazy(() => import('./pages/video.tsx').then((m) => ({ default: m.VideoPage })));
const ArContentPage = lazy(() => import('./pages/ar-content.tsx').then((m) => ({ default: m.ArContentPage })));
const AnalyticsPage = lazy(() => import('./pages/analytics.tsx').then((m) => ({ default: m.AnalyticsPage })));
const WebhooksPage = lazy(() => import('./pages/webhooks.tsx').then((m) => ({ default: m.WebhooksPage })));
const ApiKeysPage = lazy(() => import('./pages/api-keys.tsx').then((m) => ({ default: m.ApiKeysPage })));
const PaymentSettingsPage = lazy(() =>
  import('./pages/payment-settings.tsx').then((m) => ({ default: m.PaymentSettingsPage })),
);
// The installation's admin pages (platform operators only).
const AdminCompaniesPage = lazy(() => import('./pages/admin.tsx').then((m) => ({ default: m.AdminCompaniesPage })));
const AdminUsersPage = lazy(() => import('./pages/admin.tsx').then((m) => ({ default: m.AdminUsersPage })));
const AdminQueuePage = lazy(() => import('./pages/admin.tsx').then((m) => ({ default: m.AdminQueuePage })));
const AdminWorkersPage = lazy(() => import('./pages/admin.tsx').then((m) => ({ default: m.AdminWorkersPage })));
const AdminAuditPage = lazy(() => import('./pages/admin.tsx').then((m) => ({ default: m.AdminAuditPage })));
const ArImportPage = lazy(() => import('./pages/ar-import.tsx').then((m) => ({ default: m.ArImportPage })));
const ProjectEditPage = lazy(() => import('./pages/project-edit.tsx').then((m) => ({ default: m.ProjectEditPage })));
const ProductsPage = lazy(() => import('./pages/products.tsx').then((m) => ({ default: m.ProductsPage })));
const OrdersPage = lazy(() => import('./pages/orders.tsx').then((m) => ({ default: m.OrdersPage })));
const OrderPage = lazy(() => import('./pages/order.tsx').then((m) => ({ default: m.OrderPage })));
const CustomerUploadPage = lazy(() => import('./pages/customer-upload.tsx'));

const theme = createTheme({
  primaryColor: 'violet',
  defaultRadius: 'md',
  fontFamily: 'Inter, system-ui, -apple-system, "Segoe UI", Roboto, sans-serif',
});

function RequireSession({ children }: { children: ReactNode }) {
  const signedIn = useSignedIn();
  const [location] = useLocation();
  if (!signedIn) return <Redirect to={`/sign-in?next=${encodeURIComponent(location)}`} replace />;
  return <>{children}</>;
}

export function Routes() {
  const { t } = useTranslation();
  return (
    <Switch>
      <Route path="/sign-in" component={SignInPage} />
      <Route path="/sign-up" component={SignUpPage} />
      <Route path="/invite" component={InvitePage} />
      <Route path="/verify-email" component={VerifyEmailPage} />
      <Route path="/forgot-password" component={ForgotPasswordPage} />
      <Route path="/reset-password" component={ResetPasswordPage} />
      <Route path="/auth/callback" component={OidcCallbackPage} />
      <Route path="/auth/app-callback" component={AppCallbackPage} />
      <Route path="/v/:publicId">{(p) => <ViewerRoute publicId={p.publicId} />}</Route>
      <Route path="/u">
        <Suspense fallback={<Loader />}>
          <CustomerUploadPage />
        </Suspense>
      </Route>
      <Route path="/">
        <RequireSession>
          <HomePage />
        </RequireSession>
      </Route>
      <Route path="/profile">
        <RequireSession>
          <Shell>
            <ProfilePage />
          </Shell>
        </RequireSession>
      </Route>
      <Route path="/notifications">
        <RequireSession>
          <Shell>
            <NotificationSettingsPage />
          </Shell>
        </RequireSession>
      </Route>
      <Route path="/companies/new">
        <RequireSession>
          <Shell>
            <NewCompanyPage />
          </Shell>
        </RequireSession>
      </Route>
      <Route path="/c/:companyId/*?">
        <RequireSession>
          <Shell>
            <Suspense fallback={<Loader aria-label={t('app.loadingPage')} m="xl" />}>
              <Switch>
                <Route path="/c/:companyId">{(p) => <Redirect to={`/c/${p.companyId}/projects`} replace />}</Route>
                <Route path="/c/:companyId/projects" component={ProjectsPage} />
                <Route path="/c/:companyId/projects/:projectId" component={ProjectPage} />
                <Route path="/c/:companyId/projects/:projectId/analytics" component={AnalyticsPage} />
                <Route path="/c/:companyId/projects/:projectId/import" component={ArImportPage} />
                <Route path="/c/:companyId/projects/:projectId/edit" component={ProjectEditPage} />
                <Route path="/c/:companyId/ar/:arContentId" component={ArContentPage} />
                <Route path="/c/:companyId/videos/:videoId" component={VideoPage} />
                <Route path="/c/:companyId/products" component={ProductsPage} />
                <Route path="/c/:companyId/orders" component={OrdersPage} />
                <Route path="/c/:companyId/orders/:orderId" component={OrderPage} />
                <Route path="/c/:companyId/members" component={MembersPage} />
                <Route path="/c/:companyId/audit" component={AuditPage} />
                <Route path="/c/:companyId/webhooks" component={WebhooksPage} />
                <Route path="/c/:companyId/api-keys" component={ApiKeysPage} />
                <Route path="/c/:companyId/payments" component={PaymentSettingsPage} />
                <Route path="/c/:companyId/settings" component={CompanySettingsPage} />
                <Route component={NotFoundPage} />
              </Switch>
            </Suspense>
          </Shell>
        </RequireSession>
      </Route>
      <Route path="/admin/*?">
        <RequireSession>
          <Shell>
            <Suspense fallback={<Loader aria-label={t('app.loadingPage')} m="xl" />}>
              <Switch>
                <Route path="/admin">
                  <Redirect to="/admin/companies" replace />
                </Route>
                <Route path="/admin/companies" component={AdminCompaniesPage} />
                <Route path="/admin/users" component={AdminUsersPage} />
                <Route path="/admin/queue" component={AdminQueuePage} />
                <Route path="/admin/workers" component={AdminWorkersPage} />
                <Route path="/admin/audit" component={AdminAuditPage} />
                <Route component={NotFoundPage} />
              </Switch>
            </Suspense>
          </Shell>
        </RequireSession>
      </Route>
      <Route component={NotFoundPage} />
    </Switch>
  );
}

/** Date pickers speak the page's language and start weeks on Monday. */
function LocalizedDates({ children }: { children: ReactNode }) {
  const { i18n: instance } = useTranslation();
  return <DatesProvider settings={{ locale: instance.language, firstDayOfWeek: 1 }}>{children}</DatesProvider>;
}

export function App() {
  return (
    <I18nextProvider i18n={i18n}>
      <QueryClientProvider client={queryClient}>
        <MantineProvider theme={theme} defaultColorScheme="auto">
          <LocalizedDates>
            <Notifications position="top-right" />
            <Routes />
          </LocalizedDates>
        </MantineProvider>
      </QueryClientProvider>
    </I18nextProvider>
  );
}
