// The playlist of an AR content item (its project's videos, in order, with a default) and the schedule rules that
// choose among them, with a month calendar of what plays each day. Times follow the company's time zone.
import { localDateKey } from '@arvlite/client';
import {
  ActionIcon,
  Alert,
  Badge,
  Box,
  Button,
  Card,
  Checkbox,
  Group,
  Loader,
  MultiSelect,
  Paper,
  SegmentedControl,
  Select,
  Stack,
  Table,
  Text,
  Title,
  Tooltip,
  VisuallyHidden,
} from '@mantine/core';
import { DatePickerInput, DateTimePicker } from '@mantine/dates';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useMemo, useState, type FormEvent } from 'react';
import { Trans, useTranslation } from 'react-i18next';
import { api, errorMessage, fieldErrors, type RouterOutputs } from '../api.ts';
import { notifyError, notifySuccess } from '../components/notify.ts';
import { useFormat } from '../i18n/dashboard.ts';
import {
  buildCalendar,
  describeRule,
  EMPTY_RULE_FORM,
  previewRange,
  shiftMonth,
  toRuleInput,
  type RuleForm,
  type RuleInput,
} from './schedule.ts';

type PlaylistView = RouterOutputs['playlist']['get'];

const PALETTE = [
  'violet',
  'teal',
  'orange',
  'blue',
  'pink',
  'lime',
  'cyan',
  'grape',
  'yellow',
  'indigo',
  'red',
  'green',
];

export function PlaylistEditor({
  arContentId,
  projectId,
  canEdit,
}: {
  arContentId: string;
  projectId: string;
  canEdit: boolean;
}) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const playlist = useQuery({
    queryKey: ['playlist', arContentId],
    queryFn: () => api.playlist.get.query({ id: arContentId }),
  });
  const ready = useQuery({
    queryKey: ['videos', projectId, 'READY'],
    queryFn: () => api.video.list.query({ projectId, status: 'READY', limit: 100 }),
    enabled: canEdit,
  });
  const p = playlist.data;

  const apply = (view: PlaylistView) => {
    qc.setQueryData(['playlist', arContentId], view);
    void qc.invalidateQueries({ queryKey: ['playlist-preview', arContentId] });
  };
  const setItems = useMutation({
    mutationFn: (next: { videoIds: string[]; defaultVideoId?: string | null }) =>
      api.playlist.set.mutate({ id: arContentId, ...next }),
    onSuccess: (view) => apply(view),
    onError: (err) =>
      notifyError(err, t('playlist.couldNotChange'), {
        DEFAULT_NOT_IN_PLAYLIST: 'errors.reason.DEFAULT_NOT_IN_PLAYLIST',
      }),
  });
  const removeRule = useMutation({
    mutationFn: (ruleId: string) => api.playlist.removeRule.mutate({ id: arContentId, ruleId }),
    onSuccess: (view) => (apply(view), notifySuccess(t('playlist.ruleRemoved'))),
    onError: (err) => notifyError(err, t('playlist.couldNotRemoveRule')),
  });

  const titles = useMemo(() => {
    const m = new Map<string, string>();
    for (const v of ready.data?.items ?? []) m.set(v.id, v.title);
    for (const i of p?.items ?? []) m.set(i.videoId, i.title);
    return m;
  }, [ready.data, p]);
  const titleOf = (id: string) => titles.get(id) ?? t('playlist.unknownVideo');
  const ruleText = (rule: string) => t(`playlist.ruleText.${rule}`, { defaultValue: rule });
  const colorOf = (id: string | null) => {
    const i = p?.items.findIndex((x) => x.videoId === id) ?? -1;
    return i < 0 ? 'gray' : PALETTE[i % PALETTE.length]!;
  };

  if (playlist.isPending) return <Loader aria-label={t('playlist.loading')} />;
  if (!p) {
    return (
      <Alert color="red" role="alert" title={t('playlist.couldNotLoad')}>
        {errorMessage(playlist.error)}
      </Alert>
    );
  }

  const ids = p.items.map((i) => i.videoId);
  const candidates = (ready.data?.items ?? []).filter((v) => !ids.includes(v.id));
  const move = (from: number, to: number) => {
    const next = [...ids];
    const [moved] = next.splice(from, 1);
    next.splice(to, 0, moved!);
    setItems.mutate({ videoIds: next });
  };

  return (
    <Card withBorder>
      <Title order={2} size="h4" mb={4} id="playlist-heading">
        {t('playlist.heading')}
      </Title>
      <Text size="sm" c="dimmed" mb="md">
        {t('playlist.timezone', { timezone: p.timezone })}{' '}
        {p.current.videoId ? (
          <Trans
            i18nKey="playlist.playingNow"
            values={{ title: titleOf(p.current.videoId), rule: ruleText(p.current.rule) }}
            components={{ b: <b /> }}
          />
        ) : (
          t('playlist.nothingNow')
        )}
      </Text>

      <Stack gap="lg">
        <section aria-labelledby="playlist-videos-heading">
          <Title order={3} size="h6" mb="xs" id="playlist-videos-heading">
            {t('playlist.videos')}
          </Title>
          {p.items.length === 0 ? (
            <Text size="sm" c="dimmed">
              {t('playlist.noVideos')}
            </Text>
          ) : (
            <Stack gap={6} role="list" aria-labelledby="playlist-videos-heading">
              {p.items.map((item, index) => (
                <Paper key={item.videoId} withBorder px="sm" py={6} role="listitem" data-playlist-video={item.videoId}>
                  <Group justify="space-between" wrap="nowrap">
                    <Group gap="xs" wrap="nowrap" style={{ minWidth: 0 }}>
                      <Box
                        w={10}
                        h={10}
                        bg={`${colorOf(item.videoId)}.6`}
                        style={{ borderRadius: 5, flex: 'none' }}
                        aria-hidden="true"
                      />
                      <Text size="sm" fw={500} truncate>
                        {t('playlist.item', { n: index + 1, title: item.title })}
                      </Text>
                      {p.defaultVideoId === item.videoId && (
                        <Badge size="xs" variant="light">
                          {t('playlist.default')}
                        </Badge>
                      )}
                      {!item.playable && (
                        <Badge size="xs" color="orange" variant="light">
                          {t('playlist.notPlayable')}
                        </Badge>
                      )}
                    </Group>
                    {canEdit && (
                      <Group gap={2} wrap="nowrap">
                        <Tooltip label={t('playlist.moveUp')}>
                          <ActionIcon
                            variant="subtle"
                            disabled={index === 0 || setItems.isPending}
                            aria-label={t('playlist.moveUpLabel', { title: item.title })}
                            onClick={() => move(index, index - 1)}
                          >
                            ↑
                          </ActionIcon>
                        </Tooltip>
                        <Tooltip label={t('playlist.moveDown')}>
                          <ActionIcon
                            variant="subtle"
                            disabled={index === p.items.length - 1 || setItems.isPending}
                            aria-label={t('playlist.moveDownLabel', { title: item.title })}
                            onClick={() => move(index, index + 1)}
                          >
                            ↓
                          </ActionIcon>
                        </Tooltip>
                        <Button
                          size="compact-xs"
                          variant="subtle"
                          color="red"
                          aria-label={t('playlist.removeLabel', { title: item.title })}
                          disabled={setItems.isPending}
                          onClick={() => setItems.mutate({ videoIds: ids.filter((v) => v !== item.videoId) })}
                        >
                          {t('playlist.remove')}
                        </Button>
                      </Group>
                    )}
                  </Group>
                </Paper>
              ))}
            </Stack>
          )}
          {canEdit && (
            <AddVideo
              candidates={candidates}
              loading={ready.isPending}
              pending={setItems.isPending}
              onAdd={(videoId) => setItems.mutate({ videoIds: [...ids, videoId] })}
            />
          )}
          {canEdit && p.items.length > 1 && (
            <Select
              mt="sm"
              maw={360}
              label={t('playlist.defaultVideo')}
              description={t('playlist.defaultHint')}
              value={p.defaultVideoId ?? ''}
              allowDeselect={false}
              data={[
                { value: '', label: t('playlist.firstPlayable') },
                ...p.items.map((i) => ({ value: i.videoId, label: i.title })),
              ]}
              onChange={(v) => setItems.mutate({ videoIds: ids, defaultVideoId: v || null })}
            />
          )}
        </section>

        <section aria-labelledby="rules-heading">
          <Title order={3} size="h6" mb="xs" id="rules-heading">
            {t('playlist.rules')}
          </Title>
          <Text size="xs" c="dimmed" mb="xs">
            {t('playlist.precedence')}
          </Text>
          {p.rules.length === 0 ? (
            <Text size="sm" c="dimmed">
              {t('playlist.noRules')}
            </Text>
          ) : (
            <Stack gap={6} role="list" aria-labelledby="rules-heading">
              {p.rules.map((r) => {
                const text = describeRule(r, titleOf, p.timezone);
                return (
                  <Paper key={r.id} withBorder px="sm" py={6} role="listitem" data-rule-kind={r.kind}>
                    <Group justify="space-between" wrap="nowrap">
                      <Text size="sm">{text}</Text>
                      {canEdit && (
                        <Button
                          size="compact-xs"
                          variant="subtle"
                          color="red"
                          aria-label={t('playlist.removeRuleLabel', { rule: text })}
                          loading={removeRule.isPending && removeRule.variables === r.id}
                          onClick={() => removeRule.mutate(r.id)}
                        >
                          {t('playlist.remove')}
                        </Button>
                      )}
                    </Group>
                  </Paper>
                );
              })}
            </Stack>
          )}
          {canEdit && p.items.length > 0 && <AddRuleForm arContentId={arContentId} playlist={p} onAdded={apply} />}
        </section>

        <CalendarPreview
          arContentId={arContentId}
          timeZone={p.timezone}
          titleOf={titleOf}
          colorOf={colorOf}
          ruleText={ruleText}
        />
      </Stack>
    </Card>
  );
}

function AddVideo({
  candidates,
  loading,
  pending,
  onAdd,
}: {
  candidates: { id: string; title: string }[];
  loading: boolean;
  pending: boolean;
  onAdd: (videoId: string) => void;
}) {
  const { t } = useTranslation();
  const [choice, setChoice] = useState<string | null>(null);
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        if (choice) onAdd(choice);
        setChoice(null);
      }}
    >
      <Group align="flex-end" mt="sm" gap="xs">
        <Select
          label={t('playlist.addVideo')}
          placeholder={
            loading
              ? t('playlist.loadingVideos')
              : candidates.length
                ? t('playlist.chooseVideo')
                : t('playlist.noReadyVideos')
          }
          data={candidates.map((v) => ({ value: v.id, label: v.title }))}
          value={choice}
          onChange={setChoice}
          searchable
          nothingFoundMessage={t('playlist.noMatch')}
          disabled={!candidates.length}
          w={320}
        />
        <Button type="submit" variant="light" disabled={!choice} loading={pending}>
          {t('playlist.addToPlaylist')}
        </Button>
      </Group>
    </form>
  );
}

function AddRuleForm({
  arContentId,
  playlist,
  onAdded,
}: {
  arContentId: string;
  playlist: PlaylistView;
  onAdded: (view: PlaylistView) => void;
}) {
  const { t } = useTranslation();
  const [form, setForm] = useState<RuleForm>(EMPTY_RULE_FORM);
  const [errors, setErrors] = useState<Partial<Record<keyof RuleForm, string>>>({});
  const set = <K extends keyof RuleForm>(key: K, value: RuleForm[K]) => {
    setForm((f) => ({ ...f, [key]: value }));
    setErrors((e) => ({ ...e, [key]: undefined }));
  };
  const add = useMutation({
    mutationFn: (input: RuleInput) => api.playlist.addRule.mutate(input),
    onSuccess: ({ playlist: view }) => {
      onAdded(view);
      notifySuccess(t('playlist.ruleAdded'));
      setForm((f) => ({ ...EMPTY_RULE_FORM, kind: f.kind }));
    },
    onError: (err) => {
      const fields = fieldErrors(err);
      if (Object.keys(fields).length) setErrors(fields as typeof errors);
      else notifyError(err, t('playlist.couldNotAddRule'));
    },
  });
  const videos = playlist.items.map((i) => ({ value: i.videoId, label: i.title }));
  const tz = playlist.timezone;

  return (
    <Paper
      withBorder
      p="sm"
      mt="sm"
      component="form"
      noValidate
      aria-labelledby="add-rule-heading"
      onSubmit={(e: FormEvent) => {
        e.preventDefault();
        const result = toRuleInput(form, arContentId, tz);
        if (result.ok) add.mutate(result.input);
        else setErrors(result.errors);
      }}
    >
      <Text size="sm" fw={600} id="add-rule-heading" mb="xs">
        {t('playlist.addRule')}
      </Text>
      <Stack gap="sm">
        <SegmentedControl
          aria-label={t('playlist.ruleType')}
          value={form.kind}
          onChange={(v) => (setForm((f) => ({ ...f, kind: v as RuleForm['kind'] })), setErrors({}))}
          data={[
            { value: 'date', label: t('playlist.kind.date') },
            { value: 'window', label: t('playlist.kind.window') },
            { value: 'rotation', label: t('playlist.kind.rotation') },
          ]}
          maw={420}
        />
        {form.kind === 'date' && (
          <Group align="flex-start" gap="sm">
            <DatePickerInput
              label={t('playlist.date')}
              placeholder={t('playlist.pickDate')}
              value={form.date}
              onChange={(v) => set('date', v)}
              error={errors.date}
              valueFormat="D MMM YYYY"
              w={200}
              clearable
            />
            <Select
              label={t('playlist.video')}
              data={videos}
              value={form.videoId}
              onChange={(v) => set('videoId', v)}
              error={errors.videoId}
              w={260}
            />
            <Checkbox
              mt={30}
              label={t('playlist.everyYear')}
              checked={form.yearly}
              onChange={(e) => set('yearly', e.currentTarget.checked)}
            />
          </Group>
        )}
        {form.kind === 'window' && (
          <Group align="flex-start" gap="sm">
            <DateTimePicker
              label={t('playlist.starts')}
              description={tz}
              placeholder={t('playlist.pickDateTime')}
              value={form.start}
              onChange={(v) => set('start', v)}
              error={errors.start}
              valueFormat="D MMM YYYY HH:mm"
              w={220}
              clearable
            />
            <DateTimePicker
              label={t('playlist.ends')}
              description={tz}
              placeholder={t('playlist.pickDateTime')}
              value={form.end}
              onChange={(v) => set('end', v)}
              error={errors.end}
              valueFormat="D MMM YYYY HH:mm"
              w={220}
              clearable
            />
            <Select
              label={t('playlist.video')}
              description={t('playlist.playsDuring')}
              data={videos}
              value={form.videoId}
              onChange={(v) => set('videoId', v)}
              error={errors.videoId}
              w={260}
            />
          </Group>
        )}
        {form.kind === 'rotation' && (
          <Group align="flex-start" gap="sm">
            <Select
              label={t('playlist.changes')}
              allowDeselect={false}
              data={[
                { value: 'daily', label: t('playlist.cycle.daily') },
                { value: 'weekly', label: t('playlist.cycle.weekly') },
                { value: 'random-daily', label: t('playlist.cycle.random-daily') },
              ]}
              value={form.cycle}
              onChange={(v) => v && set('cycle', v as RuleForm['cycle'])}
              w={200}
            />
            <MultiSelect
              label={t('playlist.videosLabel')}
              description={t('playlist.videosHint')}
              data={videos}
              value={form.videoIds}
              onChange={(v) => set('videoIds', v)}
              error={errors.videoIds}
              w={300}
            />
            <DatePickerInput
              label={t('playlist.firstOn')}
              description={t('playlist.firstOnHint')}
              value={form.anchorDate}
              onChange={(v) => set('anchorDate', v)}
              valueFormat="D MMM YYYY"
              w={200}
              clearable
            />
          </Group>
        )}
        <Group>
          <Button type="submit" variant="light" loading={add.isPending}>
            {t('playlist.addRuleButton')}
          </Button>
        </Group>
      </Stack>
    </Paper>
  );
}

function CalendarPreview({
  arContentId,
  timeZone,
  titleOf,
  colorOf,
  ruleText,
}: {
  arContentId: string;
  timeZone: string;
  titleOf: (id: string) => string;
  colorOf: (id: string | null) => string;
  ruleText: (rule: string) => string;
}) {
  const { t } = useTranslation();
  const { locale } = useFormat();
  const [month, setMonth] = useState(() => {
    const [y, m] = localDateKey(new Date(), timeZone).split('-').map(Number) as [number, number];
    return { year: y, month: m };
  });
  const range = previewRange(month.year, month.month, timeZone);
  const preview = useQuery({
    // Every playlist change invalidates ['playlist-preview', id].
    queryKey: ['playlist-preview', arContentId, timeZone, month.year, month.month],
    queryFn: () => api.playlist.preview.query({ id: arContentId, ...range }),
  });
  const weeks = useMemo(
    () => buildCalendar(month.year, month.month, preview.data?.segments ?? [], timeZone),
    [month, preview.data, timeZone],
  );
  const label = new Date(Date.UTC(month.year, month.month - 1, 1)).toLocaleDateString(locale, {
    timeZone: 'UTC',
    month: 'long',
    year: 'numeric',
  });
  const weekdays = weeks[0]?.map((d) => {
    const [y, m, day] = d.key.split('-').map(Number) as [number, number, number];
    const at = new Date(Date.UTC(y, m - 1, day));
    return {
      short: at.toLocaleDateString(locale, { timeZone: 'UTC', weekday: 'short' }),
      long: at.toLocaleDateString(locale, { timeZone: 'UTC', weekday: 'long' }),
    };
  });

  return (
    <section aria-labelledby="calendar-heading">
      <Group justify="space-between" mb="xs">
        <Title order={3} size="h6" id="calendar-heading">
          {t('playlist.calendar', { month: label })}
        </Title>
        <Group gap={4}>
          <Button
            size="compact-sm"
            variant="default"
            onClick={() => setMonth((m) => shiftMonth(m, -1))}
            aria-label={t('playlist.previousMonth')}
          >
            ‹
          </Button>
          <Button
            size="compact-sm"
            variant="default"
            onClick={() => {
              const [y, m] = localDateKey(new Date(), timeZone).split('-').map(Number) as [number, number];
              setMonth({ year: y, month: m });
            }}
          >
            {t('playlist.thisMonth')}
          </Button>
          <Button
            size="compact-sm"
            variant="default"
            onClick={() => setMonth((m) => shiftMonth(m, 1))}
            aria-label={t('playlist.nextMonth')}
          >
            ›
          </Button>
        </Group>
      </Group>
      {preview.isError && (
        <Alert color="red" role="alert" mb="xs" title={t('playlist.couldNotPreview')}>
          {errorMessage(preview.error)}
        </Alert>
      )}
      <Table
        withTableBorder
        withColumnBorders
        layout="fixed"
        aria-label={t('playlist.calendarLabel', { month: label })}
        aria-busy={preview.isFetching}
        data-calendar={`${month.year}-${month.month}`}
      >
        <Table.Thead>
          <Table.Tr>
            {weekdays?.map((w) => (
              <Table.Th key={w.long} ta="center" abbr={w.long}>
                {w.short}
              </Table.Th>
            ))}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {weeks.map((week) => (
            <Table.Tr key={week[0]!.key}>
              {week.map((d) => (
                <Table.Td
                  key={d.key}
                  data-date={d.key}
                  valign="top"
                  p={4}
                  h={64}
                  style={{
                    opacity: d.inMonth ? 1 : 0.45,
                    background: d.today ? 'var(--mantine-color-violet-light)' : undefined,
                  }}
                >
                  <Text size="xs" fw={d.today ? 700 : 500} aria-current={d.today ? 'date' : undefined}>
                    {d.day}
                  </Text>
                  <Stack gap={2}>
                    {d.entries
                      .filter((e) => e.videoId)
                      .map((e) => (
                        <Text
                          key={`${e.videoId}-${e.ruleId ?? e.rule}`}
                          size="xs"
                          lineClamp={1}
                          px={4}
                          bg={`${colorOf(e.videoId)}.1`}
                          c={`${colorOf(e.videoId)}.9`}
                          style={{ borderRadius: 4 }}
                          title={t('playlist.entry', { title: titleOf(e.videoId!), rule: ruleText(e.rule) })}
                          data-video-id={e.videoId}
                        >
                          {titleOf(e.videoId!)}
                          <VisuallyHidden>{` (${ruleText(e.rule)})`}</VisuallyHidden>
                        </Text>
                      ))}
                  </Stack>
                </Table.Td>
              ))}
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </section>
  );
}
