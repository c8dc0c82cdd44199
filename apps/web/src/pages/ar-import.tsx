// Bulk import of AR content from CSV into a project: pick the file and the photos it names, check it (a dry run that
// lists each row's errors), then import: every item is created at once and each photo goes straight to storage
// through the marker upload the server answers for its row, which then compiles as any marker does.
import {
  CSV_IMPORT_COLUMNS,
  CSV_IMPORT_LIMITS,
  markerContentTypeOf,
  type CsvImportError,
  type MarkerContentType,
} from '@arvlite/client';
import {
  Alert,
  Anchor,
  Button,
  Code,
  FileInput,
  Group,
  Paper,
  Progress,
  Stack,
  Table,
  Text,
  Title,
} from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'wouter';
import { api, errorMessage, type RouterOutputs } from '../api.ts';
import { checkMarkerFile, putFile } from '../ar/marker-upload.ts';
import { notifyError } from '../components/notify.ts';
import { ProjectCrumbs } from '../components/project-crumbs.tsx';
import { useCompany } from '../components/use-company.ts';

type Checked = RouterOutputs['arContent']['importCsv'];
interface PhotoProblem {
  row: number;
  photo: string;
  message: string;
}
interface Progressing {
  done: number;
  total: number;
  created: number;
  problems: PhotoProblem[];
  finished: boolean;
}

/** The picked photos as the server is told about them; a file that cannot be a marker is left out (and named). */
function photoList(files: File[]) {
  const usable: { fileName: string; contentType: MarkerContentType; size: number }[] = [];
  const refused: { name: string; problem: string }[] = [];
  for (const file of files) {
    const problem = checkMarkerFile(file);
    if (problem) refused.push({ name: file.name, problem });
    else usable.push({ fileName: file.name, contentType: markerContentTypeOf(file)!, size: file.size });
  }
  return { usable, refused };
}

export function ArImportPage() {
  const { projectId = '' } = useParams<{ projectId: string }>();
  const { companyId, can, loading } = useCompany();
  const { t } = useTranslation();
  const qc = useQueryClient();
  const project = useQuery({
    queryKey: ['project', projectId],
    queryFn: () => api.project.byId.query({ id: projectId }),
  });
  const [csvFile, setCsvFile] = useState<File | null>(null);
  const [photos, setPhotos] = useState<File[]>([]);
  const [checked, setChecked] = useState<Checked | null>(null);
  const [progress, setProgress] = useState<Progressing | null>(null);
  const { usable, refused } = photoList(photos);

  const readCsv = async () => {
    if (!csvFile) throw new Error(t('csvImport.pickFile'));
    if (csvFile.size > CSV_IMPORT_LIMITS.maxBytes)
      throw new Error(t('csvImport.fileTooLarge', { kib: CSV_IMPORT_LIMITS.maxBytes / 1024 }));
    return csvFile.text();
  };

  const check = useMutation({
    mutationFn: async () =>
      api.arContent.importCsv.mutate({ projectId, csv: await readCsv(), dryRun: true, photos: usable }),
    onMutate: () => {
      setChecked(null);
      setProgress(null);
    },
    onSuccess: setChecked,
    onError: (err) => notifyError(err, t('csvImport.couldNotCheck')),
  });

  const run = useMutation({
    mutationFn: async () => {
      const result = await api.arContent.importCsv.mutate({
        projectId,
        csv: await readCsv(),
        dryRun: false,
        photos: usable,
      });
      const uploads = result.items.filter((i) => i.upload && i.photo);
      const state: Progressing = {
        done: 0,
        total: uploads.length,
        created: result.items.length,
        problems: [],
        finished: false,
      };
      setProgress({ ...state });
      void qc.invalidateQueries({ queryKey: ['ar-contents', projectId] });
      const byName = new Map(photos.map((f) => [f.name, f]));
      for (const entry of uploads) {
        const file = byName.get(entry.photo!);
        try {
          if (!file) throw new Error(t('csvImport.photoGone'));
          await putFile(entry.upload!.url, file, entry.upload!.headers, () => {});
          await api.arContent.completeMarkerUpload.mutate({ id: entry.item.id });
        } catch (err) {
          state.problems.push({ row: entry.row, photo: entry.photo!, message: errorMessage(err) });
        }
        state.done += 1;
        setProgress({ ...state, problems: [...state.problems] });
      }
      setProgress({ ...state, problems: [...state.problems], finished: true });
      void qc.invalidateQueries({ queryKey: ['ar-contents', projectId] });
    },
    onError: (err) => notifyError(err, t('csvImport.couldNotImport')),
  });

  if (!loading && !can('editor')) {
    return (
      <Alert color="yellow" role="alert">
        {t('csvImport.editorsOnly')}
      </Alert>
    );
  }
  const projectName = project.data?.name;
  const ready = checked !== null && checked.errors.length === 0 && checked.rows.length > 0 && !progress;

  return (
    <Stack gap="lg">
      <ProjectCrumbs
        companyId={companyId}
        project={{ id: projectId, name: projectName }}
        current={t('csvImport.title')}
      />
      <Title order={1}>{t('csvImport.title')}</Title>
      <Text c="dimmed">{t('csvImport.intro', { rows: CSV_IMPORT_LIMITS.maxRows })}</Text>
      <Text size="sm">
        {t('csvImport.columns')} <Code>{CSV_IMPORT_COLUMNS.join(',')}</Code>
      </Text>
      <Text size="sm" c="dimmed">
        {t('csvImport.columnsHint')}
      </Text>

      <Paper withBorder p="lg">
        <Stack>
          <FileInput
            label={t('csvImport.csvLabel')}
            placeholder={t('csvImport.csvPlaceholder')}
            accept=".csv,text/csv"
            clearable
            value={csvFile}
            onChange={(f) => {
              setCsvFile(f);
              setChecked(null);
              setProgress(null);
            }}
          />
          <FileInput
            label={t('csvImport.photosLabel')}
            description={t('csvImport.photosHint')}
            placeholder={t('csvImport.photosPlaceholder')}
            accept="image/jpeg,image/png,image/webp"
            multiple
            clearable
            value={photos}
            onChange={(files) => {
              setPhotos(files);
              setChecked(null);
              setProgress(null);
            }}
          />
          {refused.length > 0 && (
            <Alert color="yellow" title={t('csvImport.photosRefused')}>
              {refused.map((r) => (
                <Text size="sm" key={r.name}>
                  {r.name}: {r.problem}
                </Text>
              ))}
            </Alert>
          )}
          <Group>
            <Button variant="default" onClick={() => check.mutate()} loading={check.isPending} disabled={!csvFile}>
              {t('csvImport.check')}
            </Button>
            <Button onClick={() => run.mutate()} loading={run.isPending} disabled={!ready}>
              {t('csvImport.import', { count: checked?.rows.length ?? 0 })}
            </Button>
          </Group>
        </Stack>
      </Paper>

      {checked && <CheckResult checked={checked} />}
      {progress && <ImportProgress progress={progress} companyId={companyId} projectId={projectId} />}
    </Stack>
  );
}

function CheckResult({ checked }: { checked: Checked }) {
  const { t } = useTranslation();
  if (checked.errors.length > 0) {
    return (
      <section aria-labelledby="import-errors-heading">
        <Title order={2} size="h4" id="import-errors-heading" mb="xs">
          {t('csvImport.errorsTitle', { count: checked.errors.length })}
        </Title>
        <Text size="sm" c="dimmed" mb="xs">
          {t('csvImport.errorsHint')}
        </Text>
        <Table striped withTableBorder aria-labelledby="import-errors-heading" data-testid="import-errors">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t('csvImport.errorColumns.row')}</Table.Th>
              <Table.Th>{t('csvImport.errorColumns.column')}</Table.Th>
              <Table.Th>{t('csvImport.errorColumns.problem')}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {checked.errors.map((e: CsvImportError, i) => (
              <Table.Tr key={i}>
                <Table.Td>{e.row ?? '—'}</Table.Td>
                <Table.Td>{e.column ?? '—'}</Table.Td>
                <Table.Td>{t(`csvImport.reasons.${e.reason}`)}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </section>
    );
  }
  return (
    <section aria-labelledby="import-rows-heading">
      <Title order={2} size="h4" id="import-rows-heading" mb="xs">
        {t('csvImport.rowsTitle', { count: checked.rows.length })}
      </Title>
      <Table striped withTableBorder aria-labelledby="import-rows-heading" data-testid="import-rows">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t('csvImport.errorColumns.row')}</Table.Th>
            <Table.Th>{t('csvImport.rowColumns.title')}</Table.Th>
            <Table.Th>{t('csvImport.rowColumns.customer')}</Table.Th>
            <Table.Th>{t('csvImport.rowColumns.orderRef')}</Table.Th>
            <Table.Th>{t('csvImport.rowColumns.photo')}</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {checked.rows.map((r) => (
            <Table.Tr key={r.row}>
              <Table.Td>{r.row}</Table.Td>
              <Table.Td>{r.title}</Table.Td>
              <Table.Td>{[r.customerName, r.customerEmail].filter(Boolean).join(' · ')}</Table.Td>
              <Table.Td>{r.orderRef ?? ''}</Table.Td>
              <Table.Td>{r.photo ?? ''}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </section>
  );
}

function ImportProgress({
  progress,
  companyId,
  projectId,
}: {
  progress: Progressing;
  companyId: string;
  projectId: string;
}) {
  const { t } = useTranslation();
  const percent = progress.total === 0 ? 100 : Math.round((progress.done / progress.total) * 100);
  return (
    <Paper withBorder p="lg">
      <Stack>
        <Text fw={500} role="status">
          {progress.finished
            ? t('csvImport.finished', { count: progress.created })
            : t('csvImport.uploading', { done: progress.done, total: progress.total })}
        </Text>
        <Progress value={percent} aria-label={t('csvImport.progress')} />
        {progress.problems.map((p) => (
          <Text size="sm" c="red" key={p.row}>
            {t('csvImport.photoFailed', { row: p.row, photo: p.photo, message: p.message })}
          </Text>
        ))}
        {progress.finished && (
          <Anchor component={Link} href={`/c/${companyId}/projects/${projectId}`}>
            {t('csvImport.backToProject')}
          </Anchor>
        )}
      </Stack>
    </Paper>
  );
}
