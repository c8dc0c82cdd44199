import { defineEntity, p } from '@mikro-orm/core';
import { ProjectRepository } from '../repositories/project.repository.ts';
import { CompanySchema } from './company.entity.ts';

export const ProjectSchema = defineEntity({
  name: 'Project',
  tableName: 'project',
  repository: () => ProjectRepository,
  indexes: [{ properties: ['company', 'createdAt'] }],
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => crypto.randomUUID()),
    company: () => p.manyToOne(CompanySchema).deleteRule('cascade'),
    name: p.string().length(100),
    description: p.string().length(2000).nullable(),
    archivedAt: p.datetime().nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
    updatedAt: p
      .datetime()
      .onCreate(() => new Date())
      .onUpdate(() => new Date()),
  },
});
export class Project extends ProjectSchema.class {}
ProjectSchema.setClass(Project);
