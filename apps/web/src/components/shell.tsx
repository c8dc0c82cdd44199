// The frame around signed-in pages: header with the company switcher and account menu, and the section navigation.
import { Alert, AppShell, Avatar, Burger, Group, Menu, NavLink, Select, Text, UnstyledButton } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { useEffect, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useLocation } from 'wouter';
import { useMe, useSignOut } from '../auth/use-session.ts';
import { LanguageMenu } from './language-menu.tsx';
import { NotificationCenter } from './notification-center.tsx';
import { VerifyBanner } from './verify-banner.tsx';
import { Logo } from './logo.tsx';
import { LAST_COMPANY_KEY, useCompany } from './use-company.ts';

const NEW_COMPANY = '__new__';
/** The installation's admin pages (routes /admin/<page>, labels admin.nav.<page>). */
const ADMIN_PAGES = ['companies', 'users', 'queue', 'workers', 'audit'] as const;

export function Shell({ children }: { children: ReactNode }) {
  const [opened, { toggle, close }] = useDisclosure();
  const [location, navigate] = useLocation();
  const me = useMe();
  const { companyId, can } = useCompany();
  const signOut = useSignOut();
  const { t } = useTranslation();

  useEffect(() => {
    if (companyId) window.localStorage.setItem(LAST_COMPANY_KEY, companyId);
  }, [companyId]);
  useEffect(close, [location, close]);

  const companies = me.data?.memberships ?? [];
  const user = me.data?.user;
  const section = (path: string) => `/c/${companyId}${path}`;
  const suspension = companies.find((m) => m.companyId === companyId)?.suspension ?? null;

  return (
    <AppShell
      header={{ height: 60 }}
      navbar={{ width: 240, breakpoint: 'sm', collapsed: { mobile: !opened } }}
      padding="lg"
    >
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Group gap="sm" wrap="nowrap">
            <Burger
              opened={opened}
              onClick={toggle}
              hiddenFrom="sm"
              size="sm"
              aria-label={t('shell.toggleNavigation')}
            />
            <Link href="/" aria-label={t('shell.home')} style={{ textDecoration: 'none' }}>
              <Logo />
            </Link>
            <Select
              aria-label={t('shell.company')}
              placeholder={t('shell.chooseCompany')}
              w={220}
              allowDeselect={false}
              value={companyId || null}
              data={[
                ...companies.map((m) => ({ value: m.companyId, label: m.companyName })),
                { value: NEW_COMPANY, label: t('shell.newCompany') },
              ]}
              onChange={(v) => {
                if (v === NEW_COMPANY) navigate('/companies/new');
                else if (v) navigate(`/c/${v}/projects`);
              }}
            />
          </Group>
          <Group gap="xs" wrap="nowrap">
            <NotificationCenter />
            <LanguageMenu />
            <Menu position="bottom-end" withinPortal>
              <Menu.Target>
                <UnstyledButton aria-label={t('shell.accountMenu', { name: user?.name ?? t('shell.you') })}>
                  <Group gap="xs" wrap="nowrap">
                    <Avatar radius="xl" size="sm" color="violet" name={user?.name} alt="" />
                    <Text size="sm" visibleFrom="sm">
                      {user?.name}
                    </Text>
                  </Group>
                </UnstyledButton>
              </Menu.Target>
              <Menu.Dropdown>
                <Menu.Label>{user?.email}</Menu.Label>
                <Menu.Item component={Link} href="/profile">
                  {t('shell.profile')}
                </Menu.Item>
                <Menu.Item component={Link} href="/notifications">
                  {t('shell.notificationSettings')}
                </Menu.Item>
                <Menu.Item
                  onClick={async () => {
                    await signOut();
                    navigate('/sign-in');
                  }}
                >
                  {t('shell.signOut')}
                </Menu.Item>
              </Menu.Dropdown>
            </Menu>
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="sm" aria-label={t('shell.sections')}>
        {companyId ? (
          <>
            <NavLink
              component={Link}
              href={section('/projects')}
              label={t('shell.projects')}
              active={
                location.startsWith(section('/projects')) ||
                location.startsWith(section('/videos')) ||
                location.startsWith(section('/ar/'))
              }
            />
            <NavLink
              component={Link}
              href={section('/orders')}
              label={t('shell.orders')}
              active={location.startsWith(section('/orders'))}
            />
            <NavLink
              component={Link}
              href={section('/products')}
              label={t('shell.products')}
              active={location.startsWith(section('/products'))}
            />
            <NavLink
              component={Link}
              href={section('/members')}
              label={t('shell.members')}
              active={location.startsWith(section('/members'))}
            />
            {can('admin') && (
              <NavLink
                component={Link}
                href={section('/settings')}
                label={t('shell.settings')}
                active={location.startsWith(section('/settings'))}
              />
            )}
            {can('admin') && (
              <NavLink
                component={Link}
                href={section('/audit')}
                label={t('shell.audit')}
                active={location.startsWith(section('/audit'))}
              />
            )}
            {can('admin') && (
              <NavLink
                component={Link}
                href={section('/webhooks')}
                label={t('shell.webhooks')}
                active={location.startsWith(section('/webhooks'))}
              />
            )}
            {can('admin') && (
              <NavLink
                component={Link}
                href={section('/api-keys')}
                label={t('shell.apiKeys')}
                active={location.startsWith(section('/api-keys'))}
              />
            )}
            {can('admin') && (
              <NavLink
                component={Link}
                href={section('/payments')}
                label={t('shell.payments')}
                active={location.startsWith(section('/payments'))}
              />
            )}
          </>
        ) : (
          <Text size="sm" c="dimmed">
            {t('shell.chooseOrCreate')}
          </Text>
        )}
        {me.data?.isPlatformAdmin && (
          <NavLink label={t('admin.nav.section')} defaultOpened={location.startsWith('/admin')} mt="md">
            {ADMIN_PAGES.map((page) => (
              <NavLink
                key={page}
                component={Link}
                href={`/admin/${page}`}
                label={t(`admin.nav.${page}`)}
                active={location.startsWith(`/admin/${page}`)}
              />
            ))}
          </NavLink>
        )}
      </AppShell.Navbar>
      <AppShell.Main>
        <VerifyBanner />
        {suspension && (
          <Alert color="red" role="alert" title={t('admin.suspendedBanner.title')} mb="md">
            {t('admin.suspendedBanner.text', { reason: suspension.reason })}
          </Alert>
        )}
        {children}
      </AppShell.Main>
    </AppShell>
  );
}
