// The month's briefs on the cycle page during planning (issue 28): each with its review state and
// checklist result, and a new brief from an industry template (opens the brief editor).
import { Anchor, Badge, Button, Card, Group, Select, Stack, Text, Title } from '@mantine/core';
import { useMutation, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router';
import { api, getQuery, must } from '../api/client.ts';
import { ErrorAlert } from './ui.tsx';

export function BriefsCard({ cycleId, canCreate, industry }: { cycleId: number; canCreate: boolean; industry?: string }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const briefs = useQuery(getQuery('/v1/cycles/{id}/briefs', { path: { id: cycleId } }));
  const templates = useQuery({ ...getQuery('/v1/brief-templates', {}), enabled: canCreate });
  const [template, setTemplate] = useState<string | null>(industry ?? null);
  const create = useMutation({
    mutationFn: () => must(api.POST('/v1/cycles/{id}/briefs', { params: { path: { id: cycleId } }, body: template ? { template } : {} })),
    onSuccess: (b) => navigate(`/briefs/${b.id}`),
  });
  const items = briefs.data?.items ?? [];
  return (
    <Card withBorder data-testid="briefs">
      <Stack gap="xs">
        <Title order={2} size="h3">{t('brief.briefs')}</Title>
        <Text size="sm">{t('brief.intro')}</Text>
        {items.map((b) => (
          <Group key={b.id} gap="xs">
            <Anchor component={Link} to={`/briefs/${b.id}`}>{t('brief.title', { id: b.id })}</Anchor>
            <Text size="sm">{b.goal}</Text>
            <Badge>{t(`brief.state.${b.state}`)}</Badge>
            <Badge color={b.checklist_passed ? 'green' : b.overridden ? 'yellow' : 'red'}>{b.checklist_passed ? t('brief.passes') : b.overridden ? t('brief.overriddenShort') : t('brief.fails')}</Badge>
          </Group>
        ))}
        {canCreate && (
          <Group align="flex-end">
            <Select
              label={t('brief.template')}
              placeholder={t('brief.noTemplate')}
              clearable
              data={(templates.data?.items ?? []).map((x) => ({ value: x.industry, label: t(`brief.industry.${x.industry}`) }))}
              value={template}
              onChange={setTemplate}
            />
            <Button onClick={() => create.mutate()} loading={create.isPending}>
              {t('brief.new')}
            </Button>
          </Group>
        )}
        {create.error && <ErrorAlert error={create.error} />}
      </Stack>
    </Card>
  );
}
