// The company in the address bar, and the caller's role in it.
import { useLocation } from 'wouter';
import { useMe } from '../auth/use-session.ts';

const RANK = { viewer: 0, editor: 1, admin: 2, owner: 3 } as const;
export type Role = keyof typeof RANK;

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
    can: (min: Role) => Boolean(membership) && RANK[role] >= RANK[min],
  };
}
