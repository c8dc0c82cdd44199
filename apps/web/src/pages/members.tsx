// Members and invitations of the current company. The invite link is shown once, right after inviting.
import {
  Alert,
  Badge,
  Button,
  Code,
  CopyButton,
  Group,
  Modal,
  Paper,
  Select,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { roleAtLeast, rolesUpTo } from '@arvlite/client';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Trans, useTranslation } from 'react-i18next';
import { api, fieldErrors } from '../api.ts';
import { useMe } from '../auth/use-session.ts';
import { notifyError, notifySuccess } from '../components/notify.ts';
import { useCompany, type Role } from '../components/use-company.ts';
import { useFormat } from '../i18n/dashboard.ts';

export function MembersPage() {
  const { companyId, can, role: myRole } = useCompany();
  const { t } = useTranslation();
  const f = useFormat();
  const me = useMe();
  const qc = useQueryClient();
  const isAdmin = can('admin');
  const grantable = rolesUpTo(myRole).map((value) => ({
    value,
    label: t(`members.roles.${value}`),
  }));
  const lastOwner = { CONFLICT: 'members.lastOwner' };
  const list = useQuery({ queryKey: ['members', companyId], queryFn: () => api.member.list.query({ companyId }) });
  const invalidate = () => qc.invalidateQueries({ queryKey: ['members', companyId] });

  const updateRole = useMutation({
    mutationFn: (v: { membershipId: string; role: Role }) => api.member.updateRole.mutate({ companyId, ...v }),
    onSuccess: () => (
      notifySuccess(t('members.roleUpdated')),
      invalidate(),
      qc.invalidateQueries({ queryKey: ['me'] })
    ),
    onError: (e) => notifyError(e, t('members.couldNotChangeRole'), lastOwner),
  });
  const remove = useMutation({
    mutationFn: (membershipId: string) => api.member.remove.mutate({ companyId, membershipId }),
    onSuccess: () => (notifySuccess(t('members.removed')), invalidate()),
    onError: (e) => notifyError(e, t('members.couldNotRemove'), lastOwner),
  });
  const revoke = useMutation({
    mutationFn: (invitationId: string) => api.member.revokeInvite.mutate({ companyId, invitationId }),
    onSuccess: () => (notifySuccess(t('members.revoked')), invalidate()),
    onError: (e) => notifyError(e, t('members.couldNotRevoke')),
  });
  const resend = useMutation({
    mutationFn: (invitationId: string) => api.member.resendInvite.mutate({ companyId, invitationId }),
    onSuccess: () => notifySuccess(t('members.resent')),
    onError: (e) => notifyError(e, t('members.couldNotResend')),
  });

  return (
    <Stack gap="lg">
      <Title order={1}>{t('members.title')}</Title>
      {isAdmin && <InviteForm companyId={companyId} roles={grantable} onInvited={invalidate} />}

      <Paper withBorder>
        <Table verticalSpacing="sm" aria-label={t('members.title')}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t('members.columns.name')}</Table.Th>
              <Table.Th>{t('members.columns.email')}</Table.Th>
              <Table.Th>{t('members.columns.role')}</Table.Th>
              <Table.Th>{t('members.columns.joined')}</Table.Th>
              {isAdmin && <Table.Th>{t('members.columns.actions')}</Table.Th>}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {list.data?.members.map((m) => {
              const self = m.userId === me.data?.user.id;
              return (
                <Table.Tr key={m.membershipId}>
                  <Table.Td>
                    {m.name} {self && <Badge variant="light">{t('members.you')}</Badge>}
                  </Table.Td>
                  <Table.Td>{m.email}</Table.Td>
                  <Table.Td>
                    {isAdmin && roleAtLeast(myRole, m.role as Role) ? (
                      <Select
                        aria-label={t('members.roleOf', { name: m.name })}
                        data={grantable}
                        value={m.role}
                        allowDeselect={false}
                        w={130}
                        onChange={(role) =>
                          role &&
                          role !== m.role &&
                          updateRole.mutate({ membershipId: m.membershipId, role: role as Role })
                        }
                      />
                    ) : (
                      <Text size="sm">{t(`members.roles.${m.role}`, { defaultValue: m.role })}</Text>
                    )}
                  </Table.Td>
                  <Table.Td>{f.dateTime(m.joinedAt)}</Table.Td>
                  {isAdmin && (
                    <Table.Td>
                      {roleAtLeast(myRole, m.role as Role) && (
                        <Button
                          size="xs"
                          variant="subtle"
                          color="red"
                          aria-label={self ? t('members.leaveLabel') : t('members.removeLabel', { name: m.name })}
                          onClick={() => remove.mutate(m.membershipId)}
                        >
                          {self ? t('members.leave') : t('members.remove')}
                        </Button>
                      )}
                    </Table.Td>
                  )}
                </Table.Tr>
              );
            })}
          </Table.Tbody>
        </Table>
      </Paper>

      {isAdmin && (list.data?.invitations.length ?? 0) > 0 && (
        <>
          <Title order={2} size="h4">
            {t('members.pending')}
          </Title>
          <Paper withBorder>
            <Table verticalSpacing="sm" aria-label={t('members.pending')}>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t('members.columns.email')}</Table.Th>
                  <Table.Th>{t('members.columns.role')}</Table.Th>
                  <Table.Th>{t('members.columns.expires')}</Table.Th>
                  <Table.Th>{t('members.columns.actions')}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {list.data!.invitations.map((i) => (
                  <Table.Tr key={i.invitationId}>
                    <Table.Td>{i.email}</Table.Td>
                    <Table.Td>{t(`members.roles.${i.role}`, { defaultValue: i.role })}</Table.Td>
                    <Table.Td>{f.dateTime(i.expiresAt)}</Table.Td>
                    <Table.Td>
                      <Group gap="xs" wrap="nowrap">
                        <Button
                          size="xs"
                          variant="subtle"
                          aria-label={t('members.resendLabel', { email: i.email })}
                          loading={resend.isPending && resend.variables === i.invitationId}
                          onClick={() => resend.mutate(i.invitationId)}
                        >
                          {t('members.resend')}
                        </Button>
                        <Button
                          size="xs"
                          variant="subtle"
                          color="red"
                          aria-label={t('members.revokeLabel', { email: i.email })}
                          onClick={() => revoke.mutate(i.invitationId)}
                        >
                          {t('members.revoke')}
                        </Button>
                      </Group>
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Paper>
        </>
      )}
    </Stack>
  );
}

function InviteForm({
  companyId,
  roles,
  onInvited,
}: {
  companyId: string;
  roles: { value: Role; label: string }[];
  onInvited: () => void;
}) {
  const { t } = useTranslation();
  const f = useFormat();
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<Role>('editor');
  const [link, setLink] = useState<{ url: string; email: string; expiresAt: Date } | null>(null);
  const invite = useMutation({
    mutationFn: () => api.member.invite.mutate({ companyId, email, role }),
    onSuccess: (res) => {
      setLink({ url: res.acceptUrl, email, expiresAt: res.expiresAt });
      setEmail('');
      onInvited();
    },
    onError: (e) => {
      if (!fieldErrors(e).email) notifyError(e, t('members.couldNotInvite'), { CONFLICT: 'members.alreadyMember' });
    },
  });
  return (
    <Paper withBorder p="md">
      <form
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          invite.mutate();
        }}
      >
        <Group align="flex-end" wrap="wrap">
          <TextInput
            label={t('members.inviteEmail')}
            type="email"
            required
            value={email}
            onChange={(e) => setEmail(e.currentTarget.value)}
            error={fieldErrors(invite.error).email}
            style={{ flex: 1, minWidth: 220 }}
          />
          <Select
            label={t('members.role')}
            data={roles}
            value={role}
            allowDeselect={false}
            onChange={(v) => v && setRole(v as Role)}
            w={140}
          />
          <Button type="submit" loading={invite.isPending}>
            {t('members.createInvite')}
          </Button>
        </Group>
      </form>
      <Modal opened={link !== null} onClose={() => setLink(null)} title={t('members.created')} size="lg">
        {link && (
          <Stack>
            <Text>
              <Trans i18nKey="members.sendLink" values={{ email: link.email }} components={{ b: <b /> }} />
            </Text>
            <Code block style={{ wordBreak: 'break-all' }} aria-label={t('members.linkLabel')}>
              {link.url}
            </Code>
            <Alert color="yellow" role="status">
              {t('members.once', { date: f.dateTime(link.expiresAt) })}
            </Alert>
            <Group justify="flex-end">
              <CopyButton value={link.url}>
                {({ copied, copy }) => (
                  <Button onClick={copy} color={copied ? 'teal' : undefined}>
                    {copied ? t('members.copied') : t('members.copy')}
                  </Button>
                )}
              </CopyButton>
              <Button variant="default" onClick={() => setLink(null)}>
                {t('members.done')}
              </Button>
            </Group>
          </Stack>
        )}
      </Modal>
    </Paper>
  );
}
