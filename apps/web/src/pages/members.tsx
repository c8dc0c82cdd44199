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
import { roleAtLeast } from '@arvlite/client';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api, fieldErrors } from '../api.ts';
import { useMe } from '../auth/use-session.ts';
import { formatDate } from '../components/format.ts';
import { notifyError, notifySuccess } from '../components/notify.ts';
import { useCompany, type Role } from '../components/use-company.ts';

const ROLES: { value: Role; label: string }[] = [
  { value: 'viewer', label: 'Viewer' },
  { value: 'editor', label: 'Editor' },
  { value: 'admin', label: 'Admin' },
  { value: 'owner', label: 'Owner' },
];

export function MembersPage() {
  const { companyId, can, role: myRole } = useCompany();
  const me = useMe();
  const qc = useQueryClient();
  const isAdmin = can('admin');
  const grantable = ROLES.filter((r) => roleAtLeast(myRole, r.value));
  const list = useQuery({ queryKey: ['members', companyId], queryFn: () => api.member.list.query({ companyId }) });
  const invalidate = () => qc.invalidateQueries({ queryKey: ['members', companyId] });

  const updateRole = useMutation({
    mutationFn: (v: { membershipId: string; role: Role }) => api.member.updateRole.mutate({ companyId, ...v }),
    onSuccess: () => (notifySuccess('Role updated'), invalidate(), qc.invalidateQueries({ queryKey: ['me'] })),
    onError: (e) => notifyError(e, 'Could not change the role'),
  });
  const remove = useMutation({
    mutationFn: (membershipId: string) => api.member.remove.mutate({ companyId, membershipId }),
    onSuccess: () => (notifySuccess('Member removed'), invalidate()),
    onError: (e) => notifyError(e, 'Could not remove the member'),
  });
  const revoke = useMutation({
    mutationFn: (invitationId: string) => api.member.revokeInvite.mutate({ companyId, invitationId }),
    onSuccess: () => (notifySuccess('Invitation revoked'), invalidate()),
    onError: (e) => notifyError(e, 'Could not revoke the invitation'),
  });

  return (
    <Stack gap="lg">
      <Title order={1}>Members</Title>
      {isAdmin && <InviteForm companyId={companyId} roles={grantable} onInvited={invalidate} />}

      <Paper withBorder>
        <Table verticalSpacing="sm" aria-label="Members">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Name</Table.Th>
              <Table.Th>Email</Table.Th>
              <Table.Th>Role</Table.Th>
              <Table.Th>Joined</Table.Th>
              {isAdmin && <Table.Th>Actions</Table.Th>}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {list.data?.members.map((m) => {
              const self = m.userId === me.data?.user.id;
              return (
                <Table.Tr key={m.membershipId}>
                  <Table.Td>
                    {m.name} {self && <Badge variant="light">You</Badge>}
                  </Table.Td>
                  <Table.Td>{m.email}</Table.Td>
                  <Table.Td>
                    {isAdmin && roleAtLeast(myRole, m.role as Role) ? (
                      <Select
                        aria-label={`Role of ${m.name}`}
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
                      <Text size="sm" tt="capitalize">
                        {m.role}
                      </Text>
                    )}
                  </Table.Td>
                  <Table.Td>{formatDate(m.joinedAt)}</Table.Td>
                  {isAdmin && (
                    <Table.Td>
                      {roleAtLeast(myRole, m.role as Role) && (
                        <Button
                          size="xs"
                          variant="subtle"
                          color="red"
                          aria-label={self ? 'Leave the company' : `Remove ${m.name}`}
                          onClick={() => remove.mutate(m.membershipId)}
                        >
                          {self ? 'Leave' : 'Remove'}
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
            Pending invitations
          </Title>
          <Paper withBorder>
            <Table verticalSpacing="sm" aria-label="Pending invitations">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Email</Table.Th>
                  <Table.Th>Role</Table.Th>
                  <Table.Th>Expires</Table.Th>
                  <Table.Th>Actions</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {list.data!.invitations.map((i) => (
                  <Table.Tr key={i.invitationId}>
                    <Table.Td>{i.email}</Table.Td>
                    <Table.Td tt="capitalize">{i.role}</Table.Td>
                    <Table.Td>{formatDate(i.expiresAt)}</Table.Td>
                    <Table.Td>
                      <Button
                        size="xs"
                        variant="subtle"
                        color="red"
                        aria-label={`Revoke the invitation for ${i.email}`}
                        onClick={() => revoke.mutate(i.invitationId)}
                      >
                        Revoke
                      </Button>
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
  roles: typeof ROLES;
  onInvited: () => void;
}) {
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
      if (!fieldErrors(e).email) notifyError(e, 'Could not invite');
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
            label="Invite by email"
            type="email"
            required
            value={email}
            onChange={(e) => setEmail(e.currentTarget.value)}
            error={fieldErrors(invite.error).email}
            style={{ flex: 1, minWidth: 220 }}
          />
          <Select
            label="Role"
            data={roles}
            value={role}
            allowDeselect={false}
            onChange={(v) => v && setRole(v as Role)}
            w={140}
          />
          <Button type="submit" loading={invite.isPending}>
            Create invitation
          </Button>
        </Group>
      </form>
      <Modal opened={link !== null} onClose={() => setLink(null)} title="Invitation created" size="lg">
        {link && (
          <Stack>
            <Text>
              Send this link to <b>{link.email}</b>. They sign in (or create an account) with that email to join.
            </Text>
            <Code block style={{ wordBreak: 'break-all' }} aria-label="Invitation link">
              {link.url}
            </Code>
            <Alert color="yellow" role="status">
              This link is shown only once and expires {formatDate(link.expiresAt)}.
            </Alert>
            <Group justify="flex-end">
              <CopyButton value={link.url}>
                {({ copied, copy }) => (
                  <Button onClick={copy} color={copied ? 'teal' : undefined}>
                    {copied ? 'Copied' : 'Copy link'}
                  </Button>
                )}
              </CopyButton>
              <Button variant="default" onClick={() => setLink(null)}>
                Done
              </Button>
            </Group>
          </Stack>
        )}
      </Modal>
    </Paper>
  );
}
