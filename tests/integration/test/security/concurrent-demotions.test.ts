// Two concurrent demotions cannot leave a company without an owner (security review, finding 13): every member
// change locks the company's owner rows first, so the second one counts owners after the first has committed.
import { Company, Membership, User } from '@arvlite/db';
import { createTestDeps, waitFor } from '@arvlite/test-utils';
import type { TRPCError } from '@trpc/server';
import pg from 'pg';
import { beforeAll, describe, expect, it } from 'vitest';
import { signUp } from '../../src/index.ts';

let deps: Awaited<ReturnType<typeof createTestDeps>>;
beforeAll(async () => {
  deps = await createTestDeps();
});

async function twoOwners() {
  const a = await signUp(deps);
  const b = await signUp(deps);
  const company = await a.caller.company.create({ name: 'Two owners' });
  const em = deps.orm.fork();
  const bMembership = em.create(Membership, {
    company: em.getReference(Company, company.id),
    user: em.getReference(User, b.userId),
    role: 'owner',
  });
  await em.flush();
  const aMembership = await em.findOneOrFail(Membership, { company: company.id, user: a.userId });
  return { a, b, companyId: company.id, aId: aMembership.id, bId: bMembership.id };
}

describe('concurrent demotions', () => {
  it('of the last two owners by each other: one wins, the company keeps an owner', async () => {
    for (let round = 0; round < 4; round++) {
      const s = await twoOwners();
      // Hold the company's membership rows so both demotions start together once released.
      const db = new pg.Client({ connectionString: deps.config.database.url });
      await db.connect();
      try {
        await db.query('begin');
        await db.query('select id from membership where company_id = $1 for update', [s.companyId]);
        const results = Promise.allSettled([
          s.a.caller.member.updateRole({ companyId: s.companyId, membershipId: s.bId, role: 'admin' }),
          s.b.caller.member.updateRole({ companyId: s.companyId, membershipId: s.aId, role: 'admin' }),
        ]);
        // The calls are queued behind the lock: a session of this database waits on it (seen: the second call waits in
        // the process for the first one's connection, so it is one session, not two).
        await waitFor('a demotion to wait on the lock', async () => {
          const { rows } = await db.query<{ n: number }>(
            `select count(*)::int as n from pg_stat_activity
              where datname = current_database() and pid <> pg_backend_pid() and wait_event_type = 'Lock'`,
          );
          return rows[0]!.n >= 1;
        });
        await db.query('commit');
        const settled = await results;
        const owners = await deps.orm.fork().count(Membership, { company: s.companyId, role: 'owner' });
        expect(owners, `round ${round}`).toBe(1);
        expect(settled.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
        const refused = settled.find((r) => r.status === 'rejected') as PromiseRejectedResult;
        // Either the last owner is protected, or the loser, demoted by the winner, may no longer demote an owner.
        expect(['CONFLICT', 'FORBIDDEN']).toContain((refused.reason as TRPCError).code);
      } finally {
        await db.end();
      }
    }
  });

  it('a demotion and a removal at once leave an owner too', async () => {
    const s = await twoOwners();
    const results = await Promise.allSettled([
      s.a.caller.member.remove({ companyId: s.companyId, membershipId: s.bId }),
      s.b.caller.member.updateRole({ companyId: s.companyId, membershipId: s.aId, role: 'editor' }),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled').length).toBeGreaterThanOrEqual(1);
    expect(await deps.orm.fork().count(Membership, { company: s.companyId, role: 'owner' })).toBeGreaterThanOrEqual(1);
  });
});
