// @vitest-environment happy-dom
import { act, cleanup, renderHook } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { useFormSeed } from './use-form-seed.ts';

afterEach(cleanup);

interface Project {
  id: string;
  name: string;
  updatedAt: Date;
}
const toValues = (p: Project) => ({ name: p.name });

describe('useFormSeed', () => {
  it('seeds once, and keeps what the user typed when a refetch hands back a new object for the same record', () => {
    const { result, rerender } = renderHook(({ record }) => useFormSeed(record, toValues), {
      initialProps: { record: undefined as Project | undefined },
    });
    expect(result.current[0]).toBeNull();
    rerender({ record: { id: 'p1', name: 'Weddings', updatedAt: new Date(0) } });
    expect(result.current[0]).toEqual({ name: 'Weddings' });
    act(() => result.current[1]({ name: 'Wedding prints 2026' }));
    // The same record refetched: equal data in a new object (a new Date), or the server's newer state.
    rerender({ record: { id: 'p1', name: 'Weddings', updatedAt: new Date(0) } });
    rerender({ record: { id: 'p1', name: 'Weddings', updatedAt: new Date(1) } });
    expect(result.current[0]).toEqual({ name: 'Wedding prints 2026' });
  });

  it('seeds again when another record loads', () => {
    const { result, rerender } = renderHook(({ record }) => useFormSeed(record, toValues), {
      initialProps: { record: { id: 'p1', name: 'Weddings', updatedAt: new Date(0) } as Project },
    });
    act(() => result.current[1]({ name: 'typed' }));
    rerender({ record: { id: 'p2', name: 'Birthdays', updatedAt: new Date(0) } });
    expect(result.current[0]).toEqual({ name: 'Birthdays' });
  });
});
