// The dev mailbox (admins): what the embedded SMTP server received, newest first — the demo's and a
// developer's e-mails without a real mail server. Off (404) when SMTP_URL names a real server.
import { Accordion, Stack, Text, TextInput, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { getQuery } from '../api/client.ts';
import { dateTime } from '../app/format.ts';
import type { PageDef } from '../app/pages.ts';
import { ErrorAlert } from '../app/ui.tsx';

function Mailbox() {
  const { t, i18n } = useTranslation();
  const [to, setTo] = useState('');
  const q = useQuery({ ...getQuery('/v1/dev/mailbox', { query: to.trim() ? { to: to.trim() } : {} }), refetchInterval: 5_000 });
  return (
    <Stack>
      <Title order={1}>{t('mailbox.title')}</Title>
      <Text size="sm">{t('mailbox.intro')}</Text>
      <TextInput label={t('mailbox.filter')} value={to} onChange={(e) => setTo(e.currentTarget.value)} type="email" />
      <ErrorAlert error={q.error} />
      {q.data?.items.length === 0 && <Text>{t('mailbox.empty')}</Text>}
      <Accordion variant="separated">
        {q.data?.items.map((m) => (
          <Accordion.Item key={m.id} value={String(m.id)}>
            <Accordion.Control>
              <Text fw={600}>{m.subject}</Text>
              <Text size="xs" c="dimmed">
                {t('mailbox.to')}: {m.to.join(', ')} · {t('mailbox.received')}: {dateTime(m.received_at as string, i18n.language)}
              </Text>
            </Accordion.Control>
            <Accordion.Panel>
              <Text component="pre" size="sm" style={{ whiteSpace: 'pre-wrap' }}>
                {m.text}
              </Text>
            </Accordion.Panel>
          </Accordion.Item>
        ))}
      </Accordion>
    </Stack>
  );
}

export const page: PageDef = { path: '/dev/mailbox', can: 'view_mailbox', nav: { label: 'nav.mailbox', order: 96 } };
export default Mailbox;
