// "New …" dialogs that ask for a name and an optional description (projects, AR content).
import { Button, Group, Modal, Stack, Textarea, TextInput } from '@mantine/core';
import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { fieldErrors } from '../api.ts';
import { notifyError } from './notify.ts';

export function CreateModal<T>({
  opened,
  onClose,
  title,
  nameLabel,
  nameKey,
  submitLabel,
  failure,
  create,
  onCreated,
}: {
  opened: boolean;
  onClose: () => void;
  title: string;
  nameLabel: string;
  /** The input field the API names in its validation errors for the name. */
  nameKey: 'name' | 'title';
  submitLabel: string;
  /** The notification's title when creating fails for a reason other than a field. */
  failure: string;
  create: (name: string, description: string | undefined) => Promise<T>;
  onCreated: (created: T) => void;
}) {
  const { t } = useTranslation();
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const mutation = useMutation({
    mutationFn: () => create(name, description.trim() || undefined),
    onSuccess: (created) => {
      setName('');
      setDescription('');
      onClose();
      onCreated(created);
    },
    onError: (err) => {
      if (!Object.keys(fieldErrors(err)).length) notifyError(err, failure);
    },
  });
  const errors = fieldErrors(mutation.error);
  return (
    <Modal opened={opened} onClose={onClose} title={title}>
      <form
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          mutation.mutate();
        }}
      >
        <Stack>
          <TextInput
            label={nameLabel}
            required
            value={name}
            onChange={(e) => setName(e.currentTarget.value)}
            error={errors[nameKey]}
            data-autofocus
          />
          <Textarea
            label={t('create.description')}
            autosize
            minRows={2}
            value={description}
            onChange={(e) => setDescription(e.currentTarget.value)}
            error={errors.description}
          />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              {t('common:actions.cancel')}
            </Button>
            <Button type="submit" loading={mutation.isPending}>
              {submitLabel}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
