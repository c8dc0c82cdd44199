// A project's name and description (project.update; editors and above).
import { Alert, Button, Group, Loader, Paper, Stack, Textarea, TextInput, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link, useLocation, useParams } from 'wouter';
import { api, fieldErrors } from '../api.ts';
import { notifyError, notifySuccess } from '../components/notify.ts';
import { ProjectCrumbs } from '../components/project-crumbs.tsx';
import { useCompany } from '../components/use-company.ts';
import { useFormSeed } from '../components/use-form-seed.ts';

const projectValues = (p: { name: string; description: string | null }) => ({
  name: p.name,
  description: p.description ?? '',
});

export function ProjectEditPage() {
  const { projectId = '' } = useParams<{ projectId: string }>();
  const { companyId, can, loading } = useCompany();
  const { t } = useTranslation();
  const qc = useQueryClient();
  const [, navigate] = useLocation();
  const project = useQuery({
    queryKey: ['project', projectId],
    queryFn: () => api.project.byId.query({ id: projectId }),
  });
  const p = project.data;
  const [values, setValues] = useFormSeed(p, projectValues);
  const save = useMutation({
    mutationFn: () =>
      api.project.update.mutate({
        id: projectId,
        name: values!.name,
        description: values!.description.trim() ? values!.description : null,
      }),
    onSuccess: async (updated) => {
      qc.setQueryData(['project', projectId], updated);
      await qc.invalidateQueries({ queryKey: ['projects'] });
      notifySuccess(t('projectEdit.saved'));
      navigate(`/c/${companyId}/projects/${projectId}`);
    },
    onError: (err) => {
      if (!Object.keys(fieldErrors(err)).length) notifyError(err, t('projectEdit.couldNotSave'));
    },
  });

  if (!loading && !can('editor')) {
    return (
      <Alert color="yellow" role="alert">
        {t('projectEdit.editorsOnly')}
      </Alert>
    );
  }
  const errors = fieldErrors(save.error);
  return (
    <Stack gap="lg" maw={560}>
      <ProjectCrumbs
        companyId={companyId}
        project={{ id: projectId, name: p?.name }}
        current={t('projectEdit.title')}
      />
      <Title order={1}>{t('projectEdit.title')}</Title>
      {!values ? (
        <Loader aria-label={t('app.loading')} />
      ) : (
        <Paper withBorder p="lg">
          <form
            noValidate
            onSubmit={(e) => {
              e.preventDefault();
              save.mutate();
            }}
          >
            <Stack>
              <TextInput
                label={t('projects.nameLabel')}
                required
                value={values.name}
                onChange={(e) => setValues({ ...values, name: e.currentTarget.value })}
                error={errors.name}
              />
              <Textarea
                label={t('create.description')}
                autosize
                minRows={3}
                value={values.description}
                onChange={(e) => setValues({ ...values, description: e.currentTarget.value })}
                error={errors.description}
              />
              <Group>
                <Button type="submit" loading={save.isPending}>
                  {t('projectEdit.save')}
                </Button>
                <Button variant="default" component={Link} href={`/c/${companyId}/projects/${projectId}`}>
                  {t('common:actions.cancel')}
                </Button>
              </Group>
            </Stack>
          </form>
        </Paper>
      )}
    </Stack>
  );
}
