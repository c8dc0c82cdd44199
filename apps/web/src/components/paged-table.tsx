// The dashboard's lists: a cursor-paged query (the API's `{ items, nextCursor }`) shown as a table with an empty
// state and a "load more" button.
import { Button, Group, Paper, Table, Text } from '@mantine/core';
import { useInfiniteQuery, type QueryKey } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/**
 * useInfiniteQuery over a list procedure: `fetchPage(cursor)` returns one page. `pollWhile` (e.g. "something is still
 * processing") refetches every `pollMs` while it holds for any loaded item.
 */
export function usePagedList<T>(opts: {
  queryKey: QueryKey;
  fetchPage: (cursor: string | undefined) => Promise<Page<T>>;
  enabled?: boolean;
  pollWhile?: (item: T) => boolean;
  pollMs?: number;
}) {
  const { pollWhile, pollMs = 3000 } = opts;
  const query = useInfiniteQuery({
    queryKey: opts.queryKey,
    queryFn: ({ pageParam }) => opts.fetchPage(pageParam),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    enabled: opts.enabled,
    refetchInterval: pollWhile
      ? (q) => (q.state.data?.pages.some((p) => p.items.some(pollWhile)) ? pollMs : false)
      : false,
  });
  const items = query.data?.pages.flatMap((p) => p.items) ?? [];
  return { query, items };
}

export type PagedList<T> = ReturnType<typeof usePagedList<T>>;

/**
 * `columns` are the header cells; `row` renders one item as a `<Table.Tr>`. `empty` shows once the first page has
 * loaded with nothing in it. Label the table with `aria-label` or `aria-labelledby`.
 */
export function PagedTable<T>({
  list,
  columns,
  row,
  empty,
  moreLabel,
  verticalSpacing = 'sm',
  highlightOnHover = true,
  ...label
}: {
  list: PagedList<T>;
  columns: ReactNode[];
  row: (item: T) => ReactNode;
  empty: ReactNode;
  moreLabel?: string;
  verticalSpacing?: 'xs' | 'sm';
  highlightOnHover?: boolean;
} & ({ 'aria-label': string } | { 'aria-labelledby': string })) {
  const { query, items } = list;
  const { t } = useTranslation();
  return (
    <>
      <Paper withBorder>
        <Table highlightOnHover={highlightOnHover} verticalSpacing={verticalSpacing} {...label}>
          <Table.Thead>
            <Table.Tr>
              {columns.map((c, i) => (
                <Table.Th key={i}>{c}</Table.Th>
              ))}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {items.map(row)}
            {query.isSuccess && items.length === 0 && (
              <Table.Tr>
                <Table.Td colSpan={columns.length}>
                  <Text ta="center" c="dimmed" py="lg">
                    {empty}
                  </Text>
                </Table.Td>
              </Table.Tr>
            )}
          </Table.Tbody>
        </Table>
      </Paper>
      {query.hasNextPage && (
        <Group mt="sm">
          <Button variant="default" onClick={() => query.fetchNextPage()} loading={query.isFetchingNextPage}>
            {moreLabel ?? t('table.more')}
          </Button>
        </Group>
      )}
    </>
  );
}
