// The bell in the header: the unread count, live over the user's one notification.onChange stream, and a drawer with
// the list (mark read, mark all read, links to what each notification is about).
import { ActionIcon, Anchor, Button, Drawer, Group, Indicator, Paper, Stack, Text } from '@mantine/core';
import { useInfiniteQuery, useMutation, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'wouter';
import { api, type RouterOutputs } from '../api.ts';
import { useFormat } from '../i18n/dashboard.ts';
import { notifyError } from './notify.ts';

type Item = RouterOutputs['notification']['list']['items'][number];

const LIST_KEY = ['notification', 'list'] as const;

/** The dashboard page a notification leads to. */
export function notificationPath(n: Pick<Item, 'companyId' | 'kind' | 'params'>): string {
  const p = n.params as { videoId?: string; arContentId?: string };
  if (p.videoId) return `/c/${n.companyId}/videos/${p.videoId}`;
  if (p.arContentId) return `/c/${n.companyId}/ar/${p.arContentId}`;
  if (n.kind.startsWith('member.')) return `/c/${n.companyId}/members`;
  if (n.kind.startsWith('quota.')) return `/c/${n.companyId}/settings`;
  return `/c/${n.companyId}/projects`;
}

/** The live unread count: one subscription per signed-in user (the shell mounts this once). */
function useUnread(): number {
  const [unread, setUnread] = useState(0);
  const queryClient = useQueryClient();
  useEffect(() => {
    const sub = api.notification.onChange.subscribe(undefined, {
      onData: (d) => {
        setUnread(d.unread);
        void queryClient.invalidateQueries({ queryKey: LIST_KEY });
      },
    });
    return () => sub.unsubscribe();
  }, [queryClient]);
  return unread;
}

export function NotificationCenter() {
  const { t } = useTranslation();
  const fmt = useFormat();
  const unread = useUnread();
  const [opened, setOpened] = useState(false);
  const queryClient = useQueryClient();
  const list = useInfiniteQuery({
    queryKey: LIST_KEY,
    queryFn: ({ pageParam }) => api.notification.list.query({ limit: 20, cursor: pageParam ?? undefined }),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor,
    enabled: opened,
  });
  const refresh = () => queryClient.invalidateQueries({ queryKey: LIST_KEY });
  const markRead = useMutation({
    mutationFn: (ids: string[]) => api.notification.markRead.mutate({ ids }),
    onSuccess: refresh,
    onError: (e) => notifyError(e),
  });
  const markAll = useMutation({
    mutationFn: () => api.notification.markAllRead.mutate(),
    onSuccess: refresh,
    onError: (e) => notifyError(e),
  });
  const items = list.data?.pages.flatMap((p) => p.items) ?? [];

  return (
    <>
      <Indicator label={unread > 99 ? '99+' : unread} size={18} disabled={unread === 0} color="red" offset={4}>
        <ActionIcon
          variant="subtle"
          size="lg"
          aria-label={t('notifications.bell', { n: unread })}
          onClick={() => setOpened(true)}
        >
          <svg width="20" height="20" viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth="2" aria-hidden>
            <path d="M18 8a6 6 0 0 0-12 0c0 7-3 9-3 9h18s-3-2-3-9" />
            <path d="M13.73 21a2 2 0 0 1-3.46 0" />
          </svg>
        </ActionIcon>
      </Indicator>
      <Drawer
        opened={opened}
        onClose={() => setOpened(false)}
        position="right"
        title={t('notifications.title')}
        aria-label={t('notifications.title')}
      >
        <Stack gap="sm">
          <Group justify="space-between">
            <Text size="sm" c="dimmed">
              {t('notifications.unread', { n: unread })}
            </Text>
            <Group gap="xs">
              <Button
                size="xs"
                variant="light"
                disabled={unread === 0}
                loading={markAll.isPending}
                onClick={() => markAll.mutate()}
              >
                {t('notifications.markAllRead')}
              </Button>
              <Button
                size="xs"
                variant="subtle"
                component={Link}
                href="/notifications"
                onClick={() => setOpened(false)}
              >
                {t('notifications.preferences')}
              </Button>
            </Group>
          </Group>
          {list.isSuccess && items.length === 0 && (
            <Text size="sm" c="dimmed">
              {t('notifications.empty')}
            </Text>
          )}
          {items.map((n) => (
            <Paper
              key={n.id}
              withBorder
              p="sm"
              data-unread={n.readAt ? undefined : 'true'}
              aria-label={t('notifications.item')}
            >
              <Stack gap={4}>
                <Anchor
                  component={Link}
                  href={notificationPath(n)}
                  fw={n.readAt ? 400 : 700}
                  onClick={() => {
                    if (!n.readAt) markRead.mutate([n.id]);
                    setOpened(false);
                  }}
                >
                  {t(`notifications.kinds.${n.kind}`, { ...n.params, title: String(n.params.title ?? '') })}
                </Anchor>
                <Group justify="space-between" gap="xs">
                  <Text size="xs" c="dimmed">
                    {t('notifications.meta', { company: n.companyName, when: fmt.dateTime(n.createdAt) })}
                  </Text>
                  {!n.readAt && (
                    <Button size="compact-xs" variant="subtle" onClick={() => markRead.mutate([n.id])}>
                      {t('notifications.markRead')}
                    </Button>
                  )}
                </Group>
              </Stack>
            </Paper>
          ))}
          {list.hasNextPage && (
            <Button variant="subtle" loading={list.isFetchingNextPage} onClick={() => void list.fetchNextPage()}>
              {t('notifications.more')}
            </Button>
          )}
        </Stack>
      </Drawer>
    </>
  );
}
