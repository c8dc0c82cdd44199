// The landing redirect (last company, else the first, else onboarding) and company creation.
import { Button, Center, Loader, Paper, Stack, Text, TextInput, Title } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Redirect, useLocation } from 'wouter';
import { api, fieldErrors } from '../api.ts';
import { useMe } from '../auth/use-session.ts';
import { notifyError } from '../components/notify.ts';
import { Shell } from '../components/shell.tsx';
import { LAST_COMPANY_KEY } from '../components/use-company.ts';

export function HomePage() {
  const me = useMe();
  if (me.isPending) {
    return (
      <Center mih="100vh">
        <Loader aria-label="Loading" />
      </Center>
    );
  }
  const memberships = me.data?.memberships ?? [];
  const last = window.localStorage.getItem(LAST_COMPANY_KEY);
  const target = memberships.find((m) => m.companyId === last) ?? memberships[0];
  if (target) return <Redirect to={`/c/${target.companyId}/projects`} replace />;
  return (
    <Shell>
      <NewCompanyPage first />
    </Shell>
  );
}

export function NewCompanyPage({ first = false }: { first?: boolean }) {
  const qc = useQueryClient();
  const [, navigate] = useLocation();
  const [name, setName] = useState('');
  const timezone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  const create = useMutation({
    mutationFn: () => api.company.create.mutate({ name, timezone }),
    onSuccess: async (company) => {
      await qc.invalidateQueries({ queryKey: ['me'] });
      navigate(`/c/${company.id}/projects`);
    },
    onError: (err) => {
      if (!fieldErrors(err).name) notifyError(err, 'Could not create the company');
    },
  });
  return (
    <Stack maw={520} mx="auto" mt="xl">
      <Title order={1}>{first ? 'Welcome! Create your company' : 'New company'}</Title>
      <Text c="dimmed">A company holds your projects, videos and team. You can invite colleagues once it exists.</Text>
      <Paper withBorder p="lg">
        <form
          noValidate
          onSubmit={(e) => {
            e.preventDefault();
            create.mutate();
          }}
        >
          <Stack>
            <TextInput
              label="Company name"
              required
              value={name}
              onChange={(e) => setName(e.currentTarget.value)}
              error={fieldErrors(create.error).name}
              data-autofocus
            />
            <Text size="sm" c="dimmed">
              Timezone: {timezone}
            </Text>
            <Button type="submit" loading={create.isPending}>
              Create company
            </Button>
          </Stack>
        </form>
      </Paper>
    </Stack>
  );
}
