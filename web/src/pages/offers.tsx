// Offers I can see (hackers: open ones and those offered to me; clients: theirs; CS/admin: all).
import { Anchor, Card, Group, SegmentedControl, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';

import { dateTime, yen } from '../app/format.ts';
import type { PageDef } from '../app/pages.ts';
import { ErrorAlert, MoreButton, StatusBadge, usePaged } from '../app/ui.tsx';

function Offers() {
  const { t, i18n } = useTranslation();
  const [status, setStatus] = useState('open');
  const q = usePaged('/v1/offers', { query: status === 'all' ? {} : { status: status as 'open' } }, 5_000);
  return (
    <Stack>
      <Title order={1}>{t('offers.title')}</Title>
      <SegmentedControl
        w={320}
        value={status}
        onChange={setStatus}
        data={[
          { value: 'open', label: t('status.open') },
          { value: 'closed', label: t('status.closed') },
          { value: 'all', label: t('common.all') },
        ]}
      />
      <ErrorAlert error={q.error} />
      <SimpleGrid cols={{ base: 1, md: 2 }}>
        {q.items.map((o) => (
          <Card withBorder key={o.id} data-testid="offer-card">
            <Stack gap="xs">
              <Group justify="space-between">
                <Anchor component={Link} to={`/offers/${o.id}`} fw={600}>
                  {t('cycle.offerNo', { id: o.id })} · {t(`offerKind.${o.kind}`)}
                </Anchor>
                <StatusBadge value={o.status} />
              </Group>
              <Text size="sm" lineClamp={3}>{o.brief}</Text>
              <Text size="sm">
                {t('offers.fees', { adoption: yen(o.adoption_fee_yen), bonus: yen(o.win_bonus_yen) })}
              </Text>
              <Text size="sm" c="dimmed">{t('offers.deadline', { when: dateTime(o.deadline as string, i18n.language) })}</Text>
            </Stack>
          </Card>
        ))}
      </SimpleGrid>
      {q.isSuccess && q.items.length === 0 && <Text>{t('offers.none')}</Text>}
      <MoreButton q={q} />
    </Stack>
  );
}

export const page: PageDef = { path: '/offers', can: 'view_offers', nav: { label: 'nav.offers', order: 20 } };
export default Offers;
