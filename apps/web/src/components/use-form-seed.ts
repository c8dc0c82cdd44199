// A form's values seeded from a loaded record once, not on every refetch.
import { useEffect, useRef, useState, type Dispatch, type SetStateAction } from 'react';

/**
 * The values of a form that edits `record`, seeded from it when it first loads and again only when another record
 * (another `id`) loads. A background refetch (window focus, a stale query on mount) hands back a new object even when
 * nothing changed (Dates defeat TanStack Query's structural sharing), and re-seeding on it would throw away what the
 * user is typing: the project form lost a new name that way when the refetch answered between typing and saving.
 */
export function useFormSeed<R extends { id: string }, V>(
  record: R | undefined,
  toValues: (record: R) => V,
): [V | null, Dispatch<SetStateAction<V | null>>] {
  const [values, setValues] = useState<V | null>(null);
  const seededFor = useRef<string | null>(null);
  useEffect(() => {
    if (record && seededFor.current !== record.id) {
      seededFor.current = record.id;
      setValues(toValues(record));
    }
  }, [record, toValues]);
  return [values, setValues];
}
