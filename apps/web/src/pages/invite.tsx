// Accepting an invitation: the token arrives in the URL fragment (never sent to a server), is moved to
// sessionStorage and out of the address bar, and survives signing in or up on the way.
import { Alert, Anchor, Button, Center, Group, Paper, Stack, Text, Title } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useLocation } from 'wouter';
import { api, errorMessage } from '../api.ts';
import { useSignedIn } from '../auth/use-session.ts';
import { LanguageMenu } from '../components/language-menu.tsx';
import { Logo } from '../components/logo.tsx';

const PENDING_KEY = 'arvlite.pendingInvite';

export function takeInviteToken(): string | null {
  const fromHash = window.location.hash.slice(1);
  if (fromHash) {
    window.sessionStorage.setItem(PENDING_KEY, fromHash);
    window.history.replaceState(null, '', window.location.pathname + window.location.search);
  }
  return window.sessionStorage.getItem(PENDING_KEY);
}

export function InvitePage() {
  const { t } = useTranslation();
  const signedIn = useSignedIn();
  const [token] = useState(takeInviteToken);
  const [, navigate] = useLocation();
  const qc = useQueryClient();
  const accept = useMutation({
    mutationFn: () => api.auth.acceptInvite.mutate({ token: token! }),
    onSuccess: async (res) => {
      window.sessionStorage.removeItem(PENDING_KEY);
      await qc.invalidateQueries({ queryKey: ['me'] });
      navigate(`/c/${res.companyId}/projects`);
    },
  });

  return (
    <Center mih="100vh" p="md">
      <Stack w="100%" maw={460} gap="lg">
        <Group justify="space-between">
          <Logo />
          <LanguageMenu />
        </Group>
        <Paper withBorder shadow="sm" p="xl" component="main">
          <Title order={1} size="h2" mb="md">
            {t('invite.title')}
          </Title>
          {!token ? (
            <Text>{t('invite.needLink')}</Text>
          ) : !signedIn ? (
            <Stack>
              <Text>{t('invite.signInFirst')}</Text>
              <Button component={Link} href="/sign-in?next=/invite">
                {t('invite.signInToAccept')}
              </Button>
              <Text size="sm" ta="center">
                {t('invite.noAccount')}{' '}
                <Anchor component={Link} href="/sign-up?next=/invite">
                  {t('invite.createOne')}
                </Anchor>
              </Text>
            </Stack>
          ) : (
            <Stack>
              {accept.error && (
                <Alert color="red" role="alert" title={t('invite.couldNotAccept')}>
                  {errorMessage(accept.error, { NOT_FOUND: 'invite.invalid', CONFLICT: 'invite.alreadyMember' })}
                </Alert>
              )}
              <Text>{t('invite.acceptText')}</Text>
              <Button onClick={() => accept.mutate()} loading={accept.isPending}>
                {t('invite.accept')}
              </Button>
            </Stack>
          )}
        </Paper>
      </Stack>
    </Center>
  );
}
