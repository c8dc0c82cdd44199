// Accepting an invitation: the token arrives in the URL fragment (never sent to a server), is moved to
// sessionStorage and out of the address bar, and survives signing in or up on the way.
import { Alert, Anchor, Button, Center, Paper, Stack, Text, Title } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useLocation } from 'wouter';
import { api, errorCode, errorMessage } from '../api.ts';
import { useSignedIn } from '../auth/use-session.ts';
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
        <Center>
          <Logo />
        </Center>
        <Paper withBorder shadow="sm" p="xl" component="main">
          <Title order={1} size="h2" mb="md">
            Join a company
          </Title>
          {!token ? (
            <Text>This page needs the full invitation link. Ask the person who invited you to send it again.</Text>
          ) : !signedIn ? (
            <Stack>
              <Text>
                You were invited to a company on ARVlite. Sign in, or create an account, with the email address the
                invitation was sent to.
              </Text>
              <Button component={Link} href="/sign-in?next=/invite">
                Sign in to accept
              </Button>
              <Text size="sm" ta="center">
                No account yet?{' '}
                <Anchor component={Link} href="/sign-up?next=/invite">
                  Create one
                </Anchor>
              </Text>
            </Stack>
          ) : (
            <Stack>
              {accept.error && (
                <Alert color="red" role="alert" title="Could not accept the invitation">
                  {errorCode(accept.error) === 'NOT_FOUND'
                    ? 'This invitation is not valid: it may have expired, been used or revoked, or it was sent to another email address.'
                    : errorMessage(accept.error)}
                </Alert>
              )}
              <Text>Accept the invitation to join the company with the role it grants.</Text>
              <Button onClick={() => accept.mutate()} loading={accept.isPending}>
                Accept invitation
              </Button>
            </Stack>
          )}
        </Paper>
      </Stack>
    </Center>
  );
}
