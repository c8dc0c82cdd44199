// The company in the address bar, and the caller's role in it.
import { roleAtLeast, type Role } from '@arvlite/client';
import { useLocation } from 'wouter';
import { useMe } from '../auth/use-session.ts';

export type { Role };

export const LAST_COMPANY_KEY = 'arvlite.companyId';

export function useCompanyId(): string {
  const [location] = useLocation();
  return location.match(/^\/c\/([^/]+)/)?.[1] ?? '';
}

export function useCompany() {
  const companyId = useCompanyId();
  const me = useMe();
  const membership = me.data?.memberships.find((m) => m.companyId === companyId);
  const role = (membership?.role ?? 'viewer') as Role;
  return {
    companyId,
    membership,
    role,
    loading: me.isPending,
    can: (min: Role) => Boolean(membership) && roleAtLeast(role, min),
  };
}
