// Company roles, lowest first: each role can do everything the roles before it can.
import { z } from 'zod';

export const ROLES = ['viewer', 'editor', 'admin', 'owner'] as const;
export type Role = (typeof ROLES)[number];
export const roleSchema = z.enum(ROLES);

/** 0 for viewer up to 3 for owner. */
export function roleRank(role: Role): number {
  return ROLES.indexOf(role);
}

/** Whether `role` may do what needs `min`. */
export function roleAtLeast(role: Role, min: Role): boolean {
  return roleRank(role) >= roleRank(min);
}

/** The roles someone with `role` may grant: their own and every lower one. */
export function rolesUpTo(role: Role): Role[] {
  return ROLES.filter((r) => roleAtLeast(role, r));
}
