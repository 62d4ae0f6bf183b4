// Q&A on an offer (issue 28.4): the brief's numbered addenda (answered questions, for the offer's whole
// audience), the pending questions the caller may see (its own as a hacker; all for the client and CS)
// with an answer form where the server would accept one, and the form to ask.
import { Alert, Badge, Button, Card, Group, Stack, Text, Textarea, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, getQuery, must, type Body } from '../api/client.ts';
import { queryKey } from '../api/keys.ts';
import { dateTime } from './format.ts';
import { ErrorAlert, fieldError } from './ui.tsx';

type Question = Body<'/v1/offers/{id}/questions', 'get'>['items'][number];

function AnswerForm({ q, onDone }: { q: Question; onDone: () => unknown }) {
  const { t } = useTranslation();
  const [answer, setAnswer] = useState('');
  const send = useMutation({
    mutationFn: () => must(api.POST('/v1/questions/{id}/answer', { params: { path: { id: q.id } }, body: { answer } })),
    onSuccess: () => {
      setAnswer('');
      return onDone();
    },
  });
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        send.mutate();
      }}
    >
      <Stack gap="xs">
        <Textarea label={t('qa.answer')} description={t('qa.answerHint')} value={answer} onChange={(e) => setAnswer(e.currentTarget.value)} error={fieldError(send.error, 'answer')} autosize minRows={2} />
        <Group>
          <Button type="submit" size="xs" loading={send.isPending} disabled={!answer.trim()}>
            {t('qa.publish')}
          </Button>
        </Group>
        {send.error && !fieldError(send.error, 'answer') ? <ErrorAlert error={send.error} /> : null}
      </Stack>
    </form>
  );
}

export function OfferQuestions({ offerId }: { offerId: number }) {
  const { t, i18n } = useTranslation();
  const qc = useQueryClient();
  const list = useQuery({ ...getQuery('/v1/offers/{id}/questions', { path: { id: offerId } }), refetchInterval: 5_000 });
  const [body, setBody] = useState('');
  const refresh = () =>
    Promise.all([qc.invalidateQueries({ queryKey: queryKey('/v1/offers/{id}/questions', { path: { id: offerId } }) }), qc.invalidateQueries({ queryKey: queryKey('/v1/offers/{id}', { path: { id: offerId } }) })]);
  const ask = useMutation({
    mutationFn: () => must(api.POST('/v1/offers/{id}/questions', { params: { path: { id: offerId } }, body: { body } })),
    onSuccess: () => {
      setBody('');
      return refresh();
    },
  });
  if (list.error) return <ErrorAlert error={list.error} />;
  if (!list.data) return null;
  const answered = list.data.items.filter((q) => q.addendum_number !== null).sort((a, b) => a.addendum_number! - b.addendum_number!);
  const pending = list.data.items.filter((q) => q.addendum_number === null);
  return (
    <Stack gap="sm" data-testid="qa">
      <Card withBorder>
        <Stack gap="xs">
          <Title order={2} size="h3">{t('qa.addenda')}</Title>
          {answered.length === 0 && <Text size="sm" c="dimmed">{t('qa.noAddenda')}</Text>}
          {answered.map((q) => (
            <Stack key={q.id} gap={2} data-testid="addendum">
              <Text fw={600}>{t('qa.addendumNo', { n: q.addendum_number })}</Text>
              <Text size="sm" style={{ whiteSpace: 'pre-wrap' }}>{t('qa.q', { text: q.body })}</Text>
              <Text size="sm" style={{ whiteSpace: 'pre-wrap' }}>{t('qa.a', { text: q.answer })}</Text>
              <Text size="xs" c="dimmed">{dateTime(q.answered_at as string, i18n.language)}</Text>
              {q.deadline_extended_to && <Text size="xs" fw={600}>{t('qa.extended', { when: dateTime(q.deadline_extended_to as string, i18n.language) })}</Text>}
            </Stack>
          ))}
        </Stack>
      </Card>
      {pending.length > 0 && (
        <Card withBorder>
          <Stack gap="sm">
            <Title order={2} size="h3">{t('qa.pending')}</Title>
            {pending.map((q) => (
              <Stack key={q.id} gap={4} data-testid="pending-question">
                <Group gap="xs">
                  <Text size="sm" style={{ whiteSpace: 'pre-wrap' }}>{q.body}</Text>
                  {q.mine && <Badge variant="light">{t('qa.mine')}</Badge>}
                </Group>
                <Text size="xs" c="dimmed">{t('qa.asked', { when: dateTime(q.created_at as string, i18n.language) })}</Text>
                {q.actions.answer.allowed ? <AnswerForm q={q} onDone={refresh} /> : q.mine ? <Text size="xs" c="dimmed">{t('qa.privateUntilAnswered')}</Text> : null}
              </Stack>
            ))}
          </Stack>
        </Card>
      )}
      {list.data.actions.ask.allowed && (
        <Card withBorder>
          <form
            onSubmit={(e) => {
              e.preventDefault();
              ask.mutate();
            }}
          >
            <Stack gap="xs">
              <Textarea label={t('qa.ask')} description={t('qa.askHint')} value={body} onChange={(e) => setBody(e.currentTarget.value)} error={fieldError(ask.error, 'body')} autosize minRows={2} />
              <Group>
                <Button type="submit" loading={ask.isPending} disabled={!body.trim()}>
                  {t('qa.send')}
                </Button>
              </Group>
              {ask.error && !fieldError(ask.error, 'body') ? <ErrorAlert error={ask.error} /> : null}
            </Stack>
          </form>
        </Card>
      )}
      {!list.data.actions.ask.allowed && list.data.actions.ask.reason && pending.length === 0 && answered.length === 0 ? <Alert color="gray">{t('qa.closed')}</Alert> : null}
    </Stack>
  );
}
