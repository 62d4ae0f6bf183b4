// My notification settings: where e-mail goes, in which language, the hour of the daily digest, and per
// kind immediately / in the digest / off (a kind the server locks offers no "off": its actions say so).
import { Alert, Button, Card, Select, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, getQuery, must, type Body } from '../api/client.ts';
import { queryKey } from '../api/keys.ts';
import type { PageDef } from '../app/pages.ts';
import { ErrorAlert, fieldError } from '../app/ui.tsx';

type Prefs = Body<'/v1/me/notification-preferences', 'get'>;
type Mode = Prefs['categories'][number]['mode'];

function Notifications() {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const q = useQuery(getQuery('/v1/me/notification-preferences', {}));
  const [email, setEmail] = useState('');
  const [locale, setLocale] = useState<'ja' | 'en'>('ja');
  const [hour, setHour] = useState(8);
  const [modes, setModes] = useState<Record<string, Mode>>({});
  useEffect(() => {
    if (!q.data) return;
    setEmail(q.data.email ?? '');
    setLocale(q.data.locale);
    setHour(q.data.digest_hour);
    setModes(Object.fromEntries(q.data.categories.map((c) => [c.category, c.mode])));
  }, [q.data]);
  const save = useMutation({
    mutationFn: () =>
      must(api.PUT('/v1/me/notification-preferences', { body: { email: email.trim() || null, locale, digest_hour: hour, modes } })),
    onSuccess: () => qc.invalidateQueries({ queryKey: queryKey('/v1/me/notification-preferences') }),
  });
  const hours = Array.from({ length: 24 }, (_, h) => ({ value: String(h), label: t('notifications.hour', { hour: h }) }));
  return (
    <Stack>
      <Title order={1}>{t('notifications.title')}</Title>
      <ErrorAlert error={q.error} />
      {q.data && (
        <Card withBorder>
          <Stack>
            <TextInput
              label={t('notifications.email')}
              description={t('notifications.emailHint')}
              type="email"
              value={email}
              onChange={(e) => setEmail(e.currentTarget.value)}
              error={fieldError(save.error, '/body/email')}
            />
            <Select
              label={t('notifications.locale')}
              data={[
                { value: 'ja', label: '日本語' },
                { value: 'en', label: 'English' },
              ]}
              value={locale}
              onChange={(v) => v && setLocale(v as 'ja' | 'en')}
              allowDeselect={false}
            />
            <Select label={t('notifications.digestHour')} data={hours} value={String(hour)} onChange={(v) => v && setHour(Number(v))} allowDeselect={false} />
            <Table>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t('notifications.category')}</Table.Th>
                  <Table.Th>{t('notifications.mode')}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {q.data.categories.map((c) => (
                  <Table.Tr key={c.category}>
                    <Table.Td>{t(`notifications.categories.${c.category}`)}</Table.Td>
                    <Table.Td>
                      <Select
                        aria-label={t(`notifications.categories.${c.category}`)}
                        data={(['immediate', 'digest', 'off'] as const).map((m) => ({ value: m, label: t(`notifications.modes.${m}`), disabled: m === 'off' && !c.actions.turn_off.allowed }))}
                        value={modes[c.category] ?? c.mode}
                        onChange={(v) => v && setModes((all) => ({ ...all, [c.category]: v as Mode }))}
                        allowDeselect={false}
                        error={fieldError(save.error, `/body/modes/${c.category}`)}
                      />
                      {!c.actions.turn_off.allowed && <Text size="xs" c="dimmed">{t('notifications.locked')}</Text>}
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
            <ErrorAlert error={save.error} />
            {save.isSuccess && <Alert color="green">{t('notifications.saved')}</Alert>}
            <Button onClick={() => save.mutate()} loading={save.isPending} w="fit-content">
              {t('notifications.save')}
            </Button>
          </Stack>
        </Card>
      )}
    </Stack>
  );
}

export const page: PageDef = { path: '/settings/notifications', can: 'manage_own_notifications', nav: { label: 'nav.notifications', order: 95 } };
export default Notifications;
