// The breadcrumb every page inside a project starts with: Projects / the project / this page.
import { Anchor, Breadcrumbs, Text } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { Link } from 'wouter';

export function ProjectCrumbs({
  companyId,
  project,
  current,
}: {
  companyId: string;
  project?: { id: string; name?: string };
  current: string;
}) {
  const { t } = useTranslation();
  return (
    <Breadcrumbs aria-label={t('crumbs.label')}>
      <Anchor component={Link} href={`/c/${companyId}/projects`}>
        {t('crumbs.projects')}
      </Anchor>
      {project && (
        <Anchor component={Link} href={`/c/${companyId}/projects/${project.id}`}>
          {project.name ?? t('crumbs.project')}
        </Anchor>
      )}
      <Text aria-current="page">{current}</Text>
    </Breadcrumbs>
  );
}
