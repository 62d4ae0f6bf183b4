// Knowledge: search past tests with filters; each card links to its test.
import { Anchor, Badge, Card, Group, Select, SimpleGrid, Stack, TagsInput, Text, TextInput, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useDebouncedValue } from '@mantine/hooks';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';

import { getQuery } from '../api/client.ts';
import { percent } from '../app/format.ts';
import type { PageDef } from '../app/pages.ts';
import { ArmImages, type ArmImage } from '../app/renders.tsx';
import { ErrorAlert, MoreButton, StatusBadge, usePaged } from '../app/ui.tsx';

/** What a knowledge entry's test showed: the control's images and, when a variant won, the winner's. */
function EntryImages({ images }: { images: { control: ArmImage[]; winner: ArmImage[] } | undefined }) {
  const { t } = useTranslation();
  if (!images || (images.control.length === 0 && images.winner.length === 0)) return null;
  const sides = [{ label: t('tests.control'), list: images.control }, ...(images.winner.length ? [{ label: t('knowledge.winner'), list: images.winner }] : [])];
  return (
    <SimpleGrid cols={sides.length} spacing="xs" data-testid="entry-images">
      {sides.map((x) => (
        <Stack key={x.label} gap={2} style={{ minWidth: 0 }}>
          <Text size="xs" fw={600}>{x.label}</Text>
          <ArmImages images={x.list} label={x.label} />
        </Stack>
      ))}
    </SimpleGrid>
  );
}

function Knowledge() {
  const { t } = useTranslation();
  const [text, setText] = useState('');
  const [q] = useDebouncedValue(text.trim(), 300);
  const [pageType, setPageType] = useState<string | null>(null);
  const [tags, setTags] = useState<string[]>([]);
  const [outcome, setOutcome] = useState<string | null>(null);
  // Choices, not free text: what the data holds plus the seed (the server normalises what is typed).
  const vocab = useQuery(getQuery('/v1/vocabularies', {}));
  const list = usePaged('/v1/knowledge', {
    query: { ...(q ? { q } : {}), ...(pageType ? { page_type: pageType } : {}), ...(tags.length ? { tags } : {}), ...(outcome ? { outcome: outcome as 'winner' } : {}) },
  });
  return (
    <Stack>
      <Title order={1}>{t('knowledge.title')}</Title>
      <Group align="flex-end">
        <TextInput label={t('knowledge.search')} value={text} onChange={(e) => setText(e.currentTarget.value)} w={320} type="search" />
        <Select label={t('knowledge.pageType')} placeholder="checkout" searchable clearable value={pageType} onChange={setPageType} data={vocab.data?.page_types ?? []} />
        <TagsInput label={t('tests.tags')} description={t('msg.ui.suggestions')} value={tags} onChange={setTags} data={vocab.data?.tags ?? []} w={260} data-testid="tag-filter" />
        <Select label={t('knowledge.outcome')} clearable placeholder={t('common.all')} value={outcome} onChange={setOutcome} data={['winner', 'loser', 'inconclusive', 'blocked_by_guardrail', 'invalid'].map((o) => ({ value: o, label: t(`status.${o}`) }))} />
      </Group>
      <ErrorAlert error={list.error} />
      <SimpleGrid cols={{ base: 1, md: 2 }}>
        {list.items.map((k) => (
          <Card withBorder key={k.id} data-testid="knowledge-card">
            <Stack gap="xs">
              <Group justify="space-between">
                {'test_id' in k && k.test_id ? (
                  <Anchor component={Link} to={`/tests/${k.test_id}`} fw={600}>
                    {k.hypothesis}
                  </Anchor>
                ) : (
                  <Text fw={600}>{k.hypothesis}</Text>
                )}
                <StatusBadge value={k.outcome} />
              </Group>
              <Text size="sm">{k.change}</Text>
              <Text size="sm">
                {k.month} · {k.page_type} · {k.industry}
                {k.lift !== null ? ` · ${percent(k.lift)} (${percent(k.ci_low)} – ${percent(k.ci_high)})` : ''}
              </Text>
              {k.learnings && <Text size="sm" c="dimmed">{k.learnings}</Text>}
              {'images' in k && <EntryImages images={k.images} />}
              <Group gap={4}>
                {k.tags.map((tag) => (
                  <Badge key={tag} variant="outline" size="sm">{tag}</Badge>
                ))}
              </Group>
            </Stack>
          </Card>
        ))}
      </SimpleGrid>
      {list.isSuccess && list.items.length === 0 && <Text>{t('knowledge.none')}</Text>}
      <MoreButton q={list} />
    </Stack>
  );
}

export const page: PageDef = { path: '/knowledge', can: 'view_knowledge', nav: { label: 'nav.knowledge', order: 40 } };
export default Knowledge;
