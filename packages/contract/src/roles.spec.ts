import { describe, expect, it } from 'vitest';
import { ROLES, roleAtLeast, roleRank, roleSchema, rolesUpTo } from './roles.ts';

describe('roles', () => {
  it('are ordered from viewer to owner', () => {
    expect(ROLES).toEqual(['viewer', 'editor', 'admin', 'owner']);
    expect(ROLES.map(roleRank)).toEqual([0, 1, 2, 3]);
  });

  it('include every lower role', () => {
    for (const role of ROLES) {
      for (const min of ROLES) expect(roleAtLeast(role, min)).toBe(roleRank(role) >= roleRank(min));
    }
    expect(roleAtLeast('owner', 'viewer')).toBe(true);
    expect(roleAtLeast('admin', 'admin')).toBe(true);
    expect(roleAtLeast('editor', 'admin')).toBe(false);
    expect(roleAtLeast('viewer', 'editor')).toBe(false);
  });

  it('grant only up to their own', () => {
    expect(rolesUpTo('viewer')).toEqual(['viewer']);
    expect(rolesUpTo('admin')).toEqual(['viewer', 'editor', 'admin']);
    expect(rolesUpTo('owner')).toEqual(ROLES);
  });

  it('parse only known roles', () => {
    expect(roleSchema.parse('admin')).toBe('admin');
    expect(roleSchema.safeParse('root').success).toBe(false);
  });
});
