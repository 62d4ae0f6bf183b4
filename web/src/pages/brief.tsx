// The brief editor (issue 28): the structured fields of one offer's brief, saved as you type (a draft)
// so the checklist beside it — computed by the server from the page's traffic and baseline — is live;
// CS's field comments under each field; the review (submit, return with comments, approve, override
// with a reason, post) offered by the view's actions, never by comparing roles.
import { Alert, Anchor, Badge, Button, Card, Checkbox, Grid, Group, List, MultiSelect, Select, Stack, TagsInput, Text, Textarea, TextInput, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import { api, getQuery, must, type Body } from '../api/client.ts';
import { queryKey } from '../api/keys.ts';
import { dateTime } from '../app/format.ts';
import type { PageDef } from '../app/pages.ts';
import { ConfirmButton, ErrorAlert } from '../app/ui.tsx';

type Brief = Body<'/v1/briefs/{id}', 'get'>;
type Content = Brief['content'];
type Field = keyof Content;

const CHANGE_KINDS = ['copy', 'style', 'layout', 'image', 'html', 'script'] as const;
const SAVE_AFTER_MS = 600;

function FieldComments({ brief, field }: { brief: Brief; field: Field }) {
  const mine = brief.comments.filter((c) => c.field === field);
  if (!mine.length) return null;
  return (
    <Stack gap={2} data-testid={`comments-${field}`}>
      {mine.map((c) => (
        <Alert key={c.id} color="orange" p="xs">
          <Text size="sm">{c.body}</Text>
        </Alert>
      ))}
    </Stack>
  );
}

function Checklist({ brief }: { brief: Brief }) {
  const { t } = useTranslation();
  const c = brief.checklist;
  const p = c.power;
  return (
    <Card withBorder data-testid="checklist">
      <Stack gap="xs">
        <Group justify="space-between">
          <Title order={2} size="h4">{t('brief.checklist')}</Title>
          <Badge color={c.passed ? 'green' : 'red'} data-testid="checklist-result">{c.passed ? t('brief.passes') : t('brief.fails')}</Badge>
        </Group>
        {p && (
          <Text size="sm" fw={600} data-testid="power-sentence">
            {p.detectable_relative === null
              ? t('brief.powerNone', { days: p.days })
              : t('brief.power', { x: (p.detectable_relative * 100).toFixed(1), days: p.days })}
          </Text>
        )}
        <List spacing={4} size="sm" listStyleType="none">
          {c.items.map((i) => (
            <List.Item key={i.rule} data-testid={`rule-${i.rule}`} data-passed={String(i.passed)}>
              <Text size="sm" fw={600} span>
                {i.passed ? '✓ ' : '✗ '}
                {t(`brief.rule.${i.rule}`)}
              </Text>
              <Text size="xs" c="dimmed">{i.detail}</Text>
            </List.Item>
          ))}
        </List>
        {brief.override && (
          <Alert color="yellow" data-testid="override">
            {t('brief.overridden', { reason: brief.override.reason })}
          </Alert>
        )}
      </Stack>
    </Card>
  );
}

function Review({ brief }: { brief: Brief }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const [comments, setComments] = useState<{ field: Field; body: string }[]>([]);
  const [field, setField] = useState<string | null>(null);
  const [body, setBody] = useState('');
  const [reason, setReason] = useState('');
  const path = { id: brief.id };
  const done = (b: Brief) => qc.setQueryData(queryKey('/v1/briefs/{id}', { path }), b);
  const act = useMutation({
    mutationFn: (what: 'submit' | 'approve' | 'post' | 'return' | 'override') => {
      if (what === 'return') return must(api.POST('/v1/briefs/{id}/return', { params: { path }, body: { comments } }));
      if (what === 'override') return must(api.POST('/v1/briefs/{id}/override', { params: { path }, body: { reason } }));
      const url = ({ submit: '/v1/briefs/{id}/submit', approve: '/v1/briefs/{id}/approve', post: '/v1/briefs/{id}/post' } as const)[what];
      return must(api.POST(url, { params: { path } }));
    },
    onSuccess: (b) => {
      done(b as Brief);
      setComments([]);
    },
  });
  const a = brief.actions;
  const fields = Object.keys(brief.content).map((f) => ({ value: f, label: t(`brief.field.${f}`) }));
  return (
    <Card withBorder>
      <Stack gap="xs">
        <Title order={2} size="h4">{t('brief.review')}</Title>
        {act.error && <ErrorAlert error={act.error} />}
        <Group gap="xs">
          {a.submit_for_review.allowed && <Button onClick={() => act.mutate('submit')}>{t('brief.submit')}</Button>}
          {a.approve.allowed && <Button onClick={() => act.mutate('approve')}>{t('brief.approve')}</Button>}
          {a.post.allowed && (
            <ConfirmButton label={t('brief.post')} title={t('brief.post')} body={t('brief.postBody')} onConfirm={() => act.mutateAsync('post').catch(() => undefined)} />
          )}
        </Group>
        {!a.post.allowed && brief.state === 'approved' && a.post.reason && <Text size="sm" c="dimmed" data-testid="post-reason">{a.post.reason}</Text>}
        {a.return.allowed && (
          <Stack gap="xs" data-testid="return-form">
            <Text size="sm" fw={600}>{t('brief.commentOnField')}</Text>
            <Select label={t('brief.commentField')} data={fields} value={field} onChange={setField} />
            <Textarea label={t('brief.comment')} value={body} onChange={(e) => setBody(e.currentTarget.value)} autosize minRows={2} />
            <Button
              variant="light"
              disabled={!field || !body.trim()}
              onClick={() => {
                setComments((cs) => [...cs, { field: field as Field, body: body.trim() }]);
                setBody('');
              }}
            >
              {t('brief.addComment')}
            </Button>
            {comments.map((c, i) => (
              <Text key={i} size="sm">
                {t(`brief.field.${c.field}`)}: {c.body}
              </Text>
            ))}
            <Button variant="outline" disabled={!comments.length} onClick={() => act.mutate('return')}>
              {t('brief.return')}
            </Button>
          </Stack>
        )}
        {a.override_checklist.allowed && (
          <Stack gap="xs">
            <Textarea label={t('brief.overrideReason')} value={reason} onChange={(e) => setReason(e.currentTarget.value)} autosize minRows={2} />
            <Button variant="light" disabled={!reason.trim()} onClick={() => act.mutate('override')}>
              {t('brief.override')}
            </Button>
          </Stack>
        )}
      </Stack>
    </Card>
  );
}

function Editor({ brief }: { brief: Brief }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const [c, setC] = useState<Content>(brief.content);
  const editable = brief.actions.edit.allowed;
  const path = { id: brief.id };
  const save = useMutation({
    mutationFn: (content: Content) => must(api.PUT('/v1/briefs/{id}', { params: { path }, body: { content } })),
    onSuccess: (b) => qc.setQueryData(queryKey('/v1/briefs/{id}', { path }), b),
  });
  // Saved a moment after the last keystroke: the draft is kept and the checklist recomputed.
  const dirty = useRef(false);
  useEffect(() => {
    if (!dirty.current || !editable) return;
    const timer = setTimeout(() => save.mutate(c), SAVE_AFTER_MS);
    return () => clearTimeout(timer);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [c]);
  const set = <K extends Field>(k: K, v: Content[K]) => {
    dirty.current = true;
    setC((x) => ({ ...x, [k]: v }));
  };
  const label = (f: Field) => t(`brief.field.${f}`);
  const text = (f: 'goal' | 'target_visitors') => (
    <Stack gap={4}>
      <TextInput label={label(f)} value={c[f]} disabled={!editable} onChange={(e) => set(f, e.currentTarget.value)} />
      <FieldComments brief={brief} field={f} />
    </Stack>
  );
  const area = (f: 'observation' | 'hypothesis' | 'expected_change' | 'constraints', description?: string) => (
    <Stack gap={4}>
      <Textarea label={label(f)} description={description} value={c[f]} disabled={!editable} onChange={(e) => set(f, e.currentTarget.value)} autosize minRows={2} />
      <FieldComments brief={brief} field={f} />
    </Stack>
  );
  const tags = (f: 'guardrails' | 'must_keep' | 'must_not' | 'mandatory_notices' | 'skills') => (
    <Stack gap={4}>
      <TagsInput label={label(f)} value={c[f]} disabled={!editable} onChange={(v) => set(f, v)} />
      <FieldComments brief={brief} field={f} />
    </Stack>
  );
  return (
    <Card withBorder>
      <Stack>
        <Group justify="space-between">
          <Title order={2} size="h3">{t('brief.fields')}</Title>
          {editable && <Text size="xs" c="dimmed" data-testid="save-state">{save.isPending ? t('brief.saving') : save.isSuccess ? t('brief.saved') : ''}</Text>}
        </Group>
        {save.error && <ErrorAlert error={save.error} />}
        {text('goal')}
        <Grid>
          <Grid.Col span={{ base: 12, md: 6 }}>
            <Select
              label={label('primary_metric')}
              data={[{ value: 'conversion', label: t('cycle.metricConversion') }, { value: 'revenue', label: t('cycle.metricRevenue') }]}
              value={c.primary_metric}
              disabled={!editable}
              allowDeselect={false}
              onChange={(v) => set('primary_metric', (v ?? 'conversion') as Content['primary_metric'])}
            />
          </Grid.Col>
          <Grid.Col span={{ base: 12, md: 6 }}>
            <Select
              label={label('device')}
              data={(['pc', 'phone', 'both'] as const).map((d) => ({ value: d, label: t(`brief.device.${d}`) }))}
              value={c.device}
              disabled={!editable}
              allowDeselect={false}
              onChange={(v) => set('device', (v ?? 'both') as Content['device'])}
            />
          </Grid.Col>
        </Grid>
        {tags('guardrails')}
        <MultiSelect
          searchable
          label={label('page_ids')}
          data={brief.pages.map((p) => ({ value: String(p.id), label: `${p.page_type} — ${p.url}` }))}
          value={c.page_ids.map(String)}
          disabled={!editable}
          onChange={(v) => set('page_ids', v.map(Number))}
        />
        <FieldComments brief={brief} field="page_ids" />
        <Text size="sm" c="dimmed">{t('brief.hypothesisForm')}</Text>
        {area('observation')}
        {area('expected_change')}
        {area('hypothesis')}
        {text('target_visitors')}
        {tags('must_keep')}
        {tags('must_not')}
        {area('constraints', t('brief.constraintsHint'))}
        {tags('mandatory_notices')}
        <Checkbox.Group label={label('allowed_changes')} value={c.allowed_changes} onChange={(v) => set('allowed_changes', v as Content['allowed_changes'])}>
          <Group gap="sm" mt={4}>
            {CHANGE_KINDS.map((k) => (
              <Checkbox key={k} value={k} label={t(`brief.change.${k}`)} disabled={!editable} />
            ))}
          </Group>
        </Checkbox.Group>
        {tags('skills')}
        <Select
          label={label('visibility')}
          placeholder={t('brief.chooseVisibility')}
          data={['open', 'targeted', 'team'].map((k) => ({ value: k, label: t(`offerKind.${k}`) }))}
          value={c.visibility}
          disabled={!editable}
          onChange={(v) => set('visibility', v as Content['visibility'])}
        />
        <FieldComments brief={brief} field="visibility" />
        <Stack gap={4}>
          <Text size="sm" fw={500}>{label('reviewed_knowledge_ids')}</Text>
          {brief.suggested_knowledge.length === 0 && <Text size="sm" c="dimmed">{t('brief.noKnowledge')}</Text>}
          {brief.suggested_knowledge.map((k) => (
            <Checkbox
              key={k.id}
              disabled={!editable}
              checked={c.reviewed_knowledge_ids.includes(k.id)}
              onChange={(e) => set('reviewed_knowledge_ids', e.currentTarget.checked ? [...c.reviewed_knowledge_ids, k.id] : c.reviewed_knowledge_ids.filter((x) => x !== k.id))}
              label={`${k.month}: ${k.hypothesis} (${t(`status.${k.outcome}`)})${k.same_page ? ` — ${t('brief.samePage')}` : ''}`}
            />
          ))}
        </Stack>
        {c.assets.length > 0 && (
          <Stack gap={4}>
            <Text size="sm" fw={500}>{label('assets')}</Text>
            {c.assets.map((a) => (
              <Text key={a.sha256} size="sm">
                <Anchor href={`/v1/briefs/${brief.id}/assets/${a.sha256}`}>{a.name}</Anchor> — {t(`brief.licence.${a.licence}`)}
              </Text>
            ))}
          </Stack>
        )}
      </Stack>
    </Card>
  );
}

function BriefPage() {
  const { t, i18n } = useTranslation();
  const id = Number(useParams().id);
  const q = useQuery(getQuery('/v1/briefs/{id}', { path: { id } }));
  if (q.error) return <ErrorAlert error={q.error} resource />;
  if (!q.data) return null;
  const b = q.data;
  return (
    <Stack>
      <Group justify="space-between">
        <Title order={1}>{t('brief.title', { id: b.id })}</Title>
        <Group>
          <Badge size="lg" data-testid="brief-state">{t(`brief.state.${b.state}`)}</Badge>
          <Anchor component={Link} to={`/cycles/${b.cycle_id}`}>{t('brief.backToCycle')}</Anchor>
          {b.offer_id && <Anchor component={Link} to={`/offers/${b.offer_id}`}>{t('cycle.offerNo', { id: b.offer_id })}</Anchor>}
        </Group>
      </Group>
      {b.unreviewed_at_deadline && <Alert color="red">{t('brief.unreviewed')}</Alert>}
      <Grid>
        <Grid.Col span={{ base: 12, md: 8 }}>
          {/* Keyed by state: a return or approval starts the form again from the saved fields. */}
          <Editor key={`${b.id}-${b.state}`} brief={b} />
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 4 }}>
          <Stack>
            <Checklist brief={b} />
            <Review brief={b} />
            <Card withBorder>
              <Title order={2} size="h4">{t('brief.history')}</Title>
              {b.history.map((e, i) => (
                <Text key={i} size="xs">
                  {dateTime(e.created_at as string, i18n.language)} — {t(`brief.event.${e.kind}`)}
                  {e.note ? `: ${e.note}` : ''}
                </Text>
              ))}
            </Card>
          </Stack>
        </Grid.Col>
      </Grid>
    </Stack>
  );
}

export const page: PageDef = { path: '/briefs/:id', can: 'view_briefs' };
export default BriefPage;
