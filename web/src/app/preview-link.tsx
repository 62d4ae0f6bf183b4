// A signed, short-lived preview link of a proposal version: opens the client's real page with the
// version applied, for this browser only (POST /v1/proposals/:id/preview-link).
import { Anchor, Button, Card, CopyButton, Group, Stack, Text, TextInput, Title } from '@mantine/core';
import { useMutation } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api, must } from '../api/client.ts';
import { dateTime } from './format.ts';
import { ErrorAlert } from './ui.tsx';

/** A signed, short-lived link that opens the client's page with this version applied (this browser only). */
export function PreviewLink({ proposalId, version }: { proposalId: number; version: number }) {
  const { t, i18n } = useTranslation();
  const make = useMutation({ mutationFn: () => must(api.POST('/v1/proposals/{id}/preview-link', { params: { path: { id: proposalId } }, body: { version } })) });
  return (
    <Card withBorder data-testid="preview">
      <Stack gap="xs">
        <Title order={3} size="h4">{t('preview.title')}</Title>
        <Text size="sm" c="dimmed">{t('preview.intro')}</Text>
        <Button variant="light" onClick={() => make.mutate()} loading={make.isPending}>{t('preview.create')}</Button>
        <ErrorAlert error={make.error} />
        {make.data && (
          <>
            <TextInput label={t('preview.link')} value={make.data.url} readOnly data-testid="preview-url" />
            <Group>
              <CopyButton value={make.data.url}>
                {({ copied, copy }) => (
                  <Button size="xs" variant="light" onClick={copy}>{copied ? t('preview.copied') : t('preview.copy')}</Button>
                )}
              </CopyButton>
              <Anchor href={make.data.url} target="_blank" rel="noreferrer" size="sm">{t('preview.open')}</Anchor>
            </Group>
            <Text size="xs" c="dimmed">{t('preview.expires', { when: dateTime(make.data.expires_at as string, i18n.language) })}</Text>
          </>
        )}
      </Stack>
    </Card>
  );
}
