// The Kubernetes manifests in tooling/deploy/kubernetes: each document against the Kubernetes (and KEDA) JSON schemas,
// their references to each other, their environment against our config schema in production mode, and KEDA's queue
// query against a real graphile-worker queue. The schemas (kubernetes-models) check types, required fields and enums;
// like the Kubernetes OpenAPI they come from, they let unknown keys through, so a misspelt optional key is not caught.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { envSchema, loadConfig } from '@arvlite/config';
import { isJobName, isMediaJob, jobMap, type JobName } from '@arvlite/jobs';
import { createTestConfig } from '@arvlite/test-utils';
import { ScaledObject } from '@kubernetes-models/keda/keda.sh/v1alpha1/ScaledObject';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { Job } from 'kubernetes-models/batch/v1/Job';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Service } from 'kubernetes-models/v1/Service';
import pg from 'pg';
import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '../../..');
const dir = join(root, 'tooling/deploy/kubernetes');

interface Doc {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string> };
  [key: string]: unknown;
}
const docs: { file: string; doc: Doc }[] = readdirSync(dir)
  .filter((f) => f.endsWith('.yaml'))
  .flatMap((file) =>
    parseAllDocuments(readFileSync(join(dir, file), 'utf8')).map((d) => {
      if (d.errors.length > 0) throw new Error(`${file}: ${d.errors.map((e) => e.message).join('; ')}`);
      return { file, doc: d.toJS() as Doc };
    }),
  );

const models: Record<string, new (data: never) => { validate(): void }> = {
  'apps/v1/Deployment': Deployment,
  'batch/v1/Job': Job,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'v1/ConfigMap': ConfigMap,
  'v1/Service': Service,
  'keda.sh/v1alpha1/ScaledObject': ScaledObject,
};

type PodSpec = {
  terminationGracePeriodSeconds?: number;
  containers: {
    command: string[];
    env?: { name: string; value?: string }[];
    envFrom?: { configMapRef?: { name: string }; secretRef?: { name: string } }[];
  }[];
};
const of = (kind: string) => docs.filter((d) => d.doc.kind === kind).map((d) => d.doc);
const deployments = of('Deployment') as (Doc & {
  spec: {
    selector: { matchLabels: Record<string, string> };
    template: { metadata: { labels: Record<string, string> }; spec: PodSpec };
  };
})[];
const jobs = of('Job') as (Doc & { spec: { template: { spec: PodSpec } } })[];
const pods = [...deployments.map((d) => d.spec.template.spec), ...jobs.map((j) => j.spec.template.spec)];
const configMap = of('ConfigMap')[0] as Doc & { data: Record<string, string> };
const scaled = of('ScaledObject') as (Doc & {
  spec: { scaleTargetRef: { name: string }; triggers: { type: string; metadata: Record<string, string> }[] };
})[];
const matches = (selector: Record<string, string>, labels: Record<string, string>) =>
  Object.entries(selector).every(([k, v]) => labels[k] === v);

describe('Kubernetes manifests', () => {
  it('each document is valid against its Kubernetes or KEDA schema', () => {
    expect(docs.length).toBeGreaterThanOrEqual(9);
    for (const { file, doc } of docs) {
      const Model = models[`${doc.apiVersion}/${doc.kind}`];
      expect(Model, `${file}: no schema for ${doc.apiVersion} ${doc.kind}`).toBeDefined();
      expect(() => new Model!(doc as never).validate(), `${file}: ${doc.kind} ${doc.metadata.name}`).not.toThrow();
    }
  });

  it('a schema violation is caught (the check can fail)', () => {
    const broken = structuredClone(deployments[0]!) as unknown as { spec: { replicas: unknown } };
    broken.spec.replicas = 'two';
    expect(() => new Deployment(broken as never).validate()).toThrow(/replicas/);
  });

  it('selectors, the scaled target and config references point at what exists', () => {
    for (const d of deployments)
      expect(matches(d.spec.selector.matchLabels, d.spec.template.metadata.labels)).toBe(true);
    const podLabels = deployments.map((d) => d.spec.template.metadata.labels);
    for (const s of of('Service') as (Doc & { spec: { selector: Record<string, string> } })[])
      expect(
        podLabels.some((l) => matches(s.spec.selector, l)),
        `Service ${s.metadata.name}`,
      ).toBe(true);
    for (const p of of('PodDisruptionBudget') as (Doc & {
      spec: { selector: { matchLabels: Record<string, string> } };
    })[])
      expect(
        podLabels.some((l) => matches(p.spec.selector.matchLabels, l)),
        `PDB ${p.metadata.name}`,
      ).toBe(true);
    for (const s of scaled) expect(deployments.map((d) => d.metadata.name)).toContain(s.spec.scaleTargetRef.name);
    for (const pod of pods)
      for (const c of pod.containers) {
        expect(existsSync(join(root, c.command.at(-1)!)), c.command.join(' ')).toBe(true);
        const from = c.envFrom ?? [];
        expect(from.some((f) => f.configMapRef?.name === configMap.metadata.name)).toBe(true);
        expect(from.some((f) => f.secretRef?.name === 'arvlite-secrets')).toBe(true);
      }
  });

  it('names only variables ARVlite reads, and the config map starts in production mode once the secrets are given', () => {
    const known = new Set(Object.keys(envSchema.shape));
    const named = [
      ...Object.keys(configMap.data),
      ...pods.flatMap((p) => p.containers.flatMap((c) => (c.env ?? []).map((e) => e.name))),
    ];
    for (const name of named) expect(known.has(name), `${name} is not a configuration variable`).toBe(true);
    // What DEPLOYMENT.md says to put in the arvlite-secrets Secret.
    const secrets = {
      DATABASE_URL: 'postgres://arvlite:secret@db.internal:5432/arvlite',
      S3_ACCESS_KEY_ID: 'AKIAEXAMPLE',
      S3_SECRET_ACCESS_KEY: 'example-secret-access-key',
      AUTH_JWT_SECRET: 'k'.repeat(12) + 'example-root-secret-32-characters',
      SMTP_URL: 'smtps://user:pass@smtp.example.com:465',
    };
    for (const pod of pods)
      for (const c of pod.containers) {
        const env = {
          ...configMap.data,
          ...secrets,
          ...Object.fromEntries((c.env ?? []).map((e) => [e.name, e.value])),
        };
        expect(() => loadConfig(env)).not.toThrow();
      }
    expect(() => loadConfig({ ...configMap.data })).toThrow(/DATABASE_URL/);
  });

  it('gives each process more time than its own shutdown takes', () => {
    // The server exits 15 s after SIGTERM at the latest, the worker 25 s (then releases its jobs); plus preStop.
    for (const d of deployments) {
      const grace = d.spec.template.spec.terminationGracePeriodSeconds ?? 30;
      const isWorker = d.spec.template.spec.containers[0]!.command.includes('apps/worker/src/main.ts');
      expect(grace).toBeGreaterThan(isWorker ? 25 : 15 + 5);
    }
  });

  it('the media workers run real media tasks, and KEDA counts exactly their runnable jobs', async () => {
    const media = deployments.find((d) => d.metadata.name === scaled[0]!.spec.scaleTargetRef.name)!;
    const tasks = media.spec.template.spec.containers[0]!.env!.find((e) => e.name === 'WORKER_TASKS')!.value!.split(
      ',',
    );
    for (const t of tasks) expect(isJobName(t), t).toBe(true);
    // Every media job has a worker here: one missing would leave its videos PROCESSING for good.
    const mediaJobs = (Object.keys(jobMap) as JobName[]).filter(isMediaJob);
    expect(mediaJobs).toContain('video:ladder');
    for (const t of mediaJobs) expect(tasks, t).toContain(t);
    const trigger = scaled[0]!.spec.triggers.find((t) => t.type === 'postgresql')!;
    const queried = [...trigger.metadata.query!.matchAll(/'([a-z-]+:[a-z-]+)'/g)].map((m) => m[1]);
    expect(queried.sort()).toEqual([...tasks].sort());

    const config = await createTestConfig();
    const db = new pg.Client({ connectionString: config.database.url });
    await db.connect();
    try {
      const add = (task: string, opts: { runAt?: string; maxAttempts?: number } = {}) =>
        db.query<{ id: string }>(
          `select id from graphile_worker.add_job($1, $2::json, run_at => $3::timestamptz, max_attempts => $4)`,
          [task, JSON.stringify({ videoId: crypto.randomUUID() }), opts.runAt ?? null, opts.maxAttempts ?? 3],
        );
      await add('video:process');
      await add('video:rendition');
      await add('marker:compile');
      await add('mail:send'); // not a media task
      await add('video:images', { runAt: new Date(Date.now() + 3_600_000).toISOString() }); // not due yet
      const locked = await add('video:analyze');
      await db.query(`update graphile_worker._private_jobs set locked_at = now(), locked_by = 'w' where id = $1`, [
        locked.rows[0]!.id,
      ]);
      const spent = await add('video:finalize', { maxAttempts: 1 });
      await db.query(`update graphile_worker._private_jobs set attempts = 1 where id = $1`, [spent.rows[0]!.id]);
      const { rows } = await db.query<{ count: string }>(trigger.metadata.query!);
      expect(Number(rows[0]!.count)).toBe(3);
    } finally {
      await db.end();
    }
  });
});
