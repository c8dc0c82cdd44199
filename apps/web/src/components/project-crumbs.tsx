// The breadcrumb every page inside a project starts with: Projects / the project / this page.
import { Anchor, Breadcrumbs, Text } from '@mantine/core';
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
  return (
    <Breadcrumbs aria-label="Breadcrumb">
      <Anchor component={Link} href={`/c/${companyId}/projects`}>
        Projects
      </Anchor>
      {project && (
        <Anchor component={Link} href={`/c/${companyId}/projects/${project.id}`}>
          {project.name ?? 'Project'}
        </Anchor>
      )}
      <Text aria-current="page">{current}</Text>
    </Breadcrumbs>
  );
}
