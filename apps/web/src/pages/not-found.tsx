import { Button, Stack, Text, Title } from '@mantine/core';
import { Link } from 'wouter';

export function NotFoundPage() {
  return (
    <Stack align="center" mt="xl" gap="sm">
      <Title order={1}>Page not found</Title>
      <Text c="dimmed">The page does not exist, or you do not have access to it.</Text>
      <Button component={Link} href="/">
        Go to the dashboard
      </Button>
    </Stack>
  );
}
