// A video's chroma key (editors): the colour the viewers key out so the printed photo shows through (a green screen).
import { CHROMA_SOFTNESS_DEFAULT, CHROMA_TOLERANCE_DEFAULT, chromaKeySchema, type ChromaKey } from '@arvlite/contract';
import { Button, Card, ColorInput, Group, Slider, Stack, Switch, Text, Title } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../api.ts';
import { notifyError, notifySuccess } from '../components/notify.ts';

const GREEN: ChromaKey = { color: '#00FF00', tolerance: CHROMA_TOLERANCE_DEFAULT, softness: CHROMA_SOFTNESS_DEFAULT };
const SWATCHES = ['#00FF00', '#00B140', '#0047BB', '#0000FF', '#FFFFFF', '#000000'];

export function ChromaKeyCard({ id, chromaKey }: { id: string; chromaKey: ChromaKey | null }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const [enabled, setEnabled] = useState(!!chromaKey);
  const [key, setKey] = useState<ChromaKey>(chromaKey ?? GREEN);
  useEffect(() => {
    setEnabled(!!chromaKey);
    setKey(chromaKey ?? GREEN);
  }, [chromaKey]);
  const wanted = enabled ? key : null;
  const valid = !wanted || chromaKeySchema.safeParse(wanted).success;
  const save = useMutation({
    mutationFn: () => api.video.update.mutate({ id, chromaKey: wanted }),
    onSuccess: () => {
      notifySuccess(t('video.chroma.saved'));
      void qc.invalidateQueries({ queryKey: ['video', id] });
    },
    onError: (e) => notifyError(e, t('video.chroma.couldNotSave')),
  });
  const pct = (n: number) => `${Math.round(n * 100)}%`;
  return (
    <Card withBorder>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          save.mutate();
        }}
      >
        <Stack gap="sm" maw={520}>
          <Title order={2} size="h5">
            {t('video.chroma.heading')}
          </Title>
          <Text size="sm" c="dimmed">
            {t('video.chroma.explain')}
          </Text>
          <Switch
            label={t('video.chroma.enable')}
            checked={enabled}
            onChange={(e) => setEnabled(e.currentTarget.checked)}
          />
          {enabled && (
            <>
              <ColorInput
                label={t('video.chroma.color')}
                format="hex"
                swatches={SWATCHES}
                value={key.color}
                onChange={(color) => setKey({ ...key, color: color.toUpperCase() })}
                error={valid ? undefined : t('video.chroma.invalidColor')}
              />
              <div>
                <Text size="sm" id="chroma-tolerance">
                  {t('video.chroma.tolerance', { value: pct(key.tolerance) })}
                </Text>
                <Slider
                  aria-labelledby="chroma-tolerance"
                  min={0}
                  max={1}
                  step={0.01}
                  label={pct}
                  value={key.tolerance}
                  onChange={(tolerance) => setKey({ ...key, tolerance })}
                />
              </div>
              <div>
                <Text size="sm" id="chroma-softness">
                  {t('video.chroma.softness', { value: pct(key.softness ?? CHROMA_SOFTNESS_DEFAULT) })}
                </Text>
                <Slider
                  aria-labelledby="chroma-softness"
                  min={0}
                  max={1}
                  step={0.01}
                  label={pct}
                  value={key.softness ?? CHROMA_SOFTNESS_DEFAULT}
                  onChange={(softness) => setKey({ ...key, softness })}
                />
              </div>
            </>
          )}
          <Group>
            <Button
              type="submit"
              variant="default"
              loading={save.isPending}
              disabled={!valid || JSON.stringify(wanted) === JSON.stringify(chromaKey)}
            >
              {t('video.chroma.save')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Card>
  );
}
