// A proposal's variant as data (src/shared/changes.ts, the one contract with the server and the SDK):
// the hacker's structured editor (mutations, CSS, redirect, custom JS) and the read-only view CS and
// the client see. The server validates and sanitises; the editor only shows its answer next to the
// field it names (`/body/changes/mutations/3/selector`), so no rule is written twice.
import { ActionIcon, Alert, Button, Card, Code, Group, Select, Stack, Table, Text, Textarea, TextInput, Title } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { INSERT_POSITIONS, MUTATION_ACTIONS, type ChangeSet, type InsertPosition, type Mutation, type MutationAction } from '../../../src/shared/changes.ts';
import { fieldError } from './ui.tsx';

/** One editor row: every field as typed; `toChangeSet` keeps only those its action takes. */
export interface MutationRow {
  key: number;
  selector: string;
  action: MutationAction;
  value: string;
  attribute: string;
  position: InsertPosition;
  target: string;
}
export interface ChangeSetDraft {
  rows: MutationRow[];
  css: string;
  redirect: string;
  js: string;
}

type Field = 'value' | 'attribute' | 'position' | 'target';
/** The fields each action takes, in the order they are shown (the Mutation union's members). */
const FIELDS: Record<MutationAction, Field[]> = {
  set_text: ['value'],
  set_attribute: ['attribute', 'value'],
  remove_attribute: ['attribute'],
  add_class: ['value'],
  remove_class: ['value'],
  set_style: ['value'],
  insert_html: ['position', 'value'],
  remove: [],
  move_before: ['target'],
};

/** Whether the editor shows this error path next to one of its fields. */
export const shownInEditor = (path: string) => /^\/body\/changes\/(css|redirect|js|mutations|mutations\/\d+\/(selector|action|value|attribute|position|target))$/.test(path);

let nextKey = 1;
const blankRow = (): MutationRow => ({ key: nextKey++, selector: '', action: 'set_text', value: '', attribute: '', position: 'after', target: '' });
export const emptyDraft = (): ChangeSetDraft => ({ rows: [], css: '', redirect: '', js: '' });

/** The draft as the API takes it; undefined when nothing was entered (a proposal without a change set). */
export function toChangeSet(d: ChangeSetDraft): ChangeSet | undefined {
  const out: ChangeSet = {};
  if (d.rows.length) {
    // Every row is sent, even an incomplete one, so the server's index names the row on screen.
    out.mutations = d.rows.map((r) => {
      const m: Record<string, string> = { selector: r.selector, action: r.action };
      for (const f of FIELDS[r.action]) m[f] = r[f];
      return m as unknown as Mutation;
    });
  }
  if (d.css.trim()) out.css = d.css;
  if (d.redirect.trim()) out.redirect = d.redirect.trim();
  if (d.js.trim()) out.js = d.js;
  return Object.keys(out).length ? out : undefined;
}

/** A stored change set back into the editor (a revision starts from the current version). */
export function fromChangeSet(c: ChangeSet | null | undefined): ChangeSetDraft {
  if (!c) return emptyDraft();
  return {
    rows: (c.mutations ?? []).map((m) => ({ ...blankRow(), ...(m as Partial<MutationRow>), key: nextKey++ })),
    css: c.css ?? '',
    redirect: c.redirect ?? '',
    js: c.js ?? '',
  };
}

export function ChangeSetEditor({ value, onChange, error }: { value: ChangeSetDraft; onChange: (d: ChangeSetDraft) => void; error: unknown }) {
  const { t } = useTranslation();
  const err = (f: string) => fieldError(error, `changes/${f}`);
  const setRow = (i: number, patch: Partial<MutationRow>) => onChange({ ...value, rows: value.rows.map((r, j) => (j === i ? { ...r, ...patch } : r)) });
  const move = (i: number, by: -1 | 1) => {
    const rows = [...value.rows];
    const [r] = rows.splice(i, 1);
    rows.splice(i + by, 0, r!);
    onChange({ ...value, rows });
  };
  const actions = MUTATION_ACTIONS.map((a) => ({ value: a, label: t(`changes.action.${a}`) }));
  const positions = INSERT_POSITIONS.map((p) => ({ value: p, label: t(`changes.position.${p}`) }));
  return (
    <Stack data-testid="change-set-editor">
      <Title order={3} size="h4">{t('changes.title')}</Title>
      <Text size="sm" c="dimmed">{t('changes.intro')}</Text>
      {err('mutations') && <Text size="sm" c="var(--mantine-color-error)">{err('mutations')}</Text>}
      {value.rows.map((r, i) => (
        <Card withBorder padding="sm" key={r.key} data-testid="mutation">
          <Stack gap="xs">
            <Group justify="space-between">
              <Text fw={600} size="sm">{t('changes.mutationNo', { n: i + 1 })}</Text>
              <Group gap={4}>
                <ActionIcon variant="subtle" aria-label={t('changes.moveUp', { n: i + 1 })} disabled={i === 0} onClick={() => move(i, -1)}>↑</ActionIcon>
                <ActionIcon variant="subtle" aria-label={t('changes.moveDown', { n: i + 1 })} disabled={i === value.rows.length - 1} onClick={() => move(i, 1)}>↓</ActionIcon>
                <Button size="xs" variant="subtle" color="red" onClick={() => onChange({ ...value, rows: value.rows.filter((_, j) => j !== i) })}>
                  {t('common.remove')}
                </Button>
              </Group>
            </Group>
            <Group grow align="flex-start">
              <TextInput label={t('changes.selector')} placeholder="#hero h1" value={r.selector} onChange={(e) => setRow(i, { selector: e.currentTarget.value })} error={err(`mutations/${i}/selector`)} />
              <Select label={t('changes.actionLabel')} data={actions} value={r.action} allowDeselect={false} onChange={(a) => a && setRow(i, { action: a as MutationAction })} error={err(`mutations/${i}/action`)} />
            </Group>
            {FIELDS[r.action].map((f) =>
              f === 'position' ? (
                <Select key={f} label={t('changes.positionLabel')} data={positions} value={r.position} allowDeselect={false} onChange={(p) => p && setRow(i, { position: p as InsertPosition })} error={err(`mutations/${i}/position`)} />
              ) : f === 'value' && (r.action === 'insert_html' || r.action === 'set_style') ? (
                <Textarea key={f} label={t(`changes.value.${r.action}`)} value={r.value} onChange={(e) => setRow(i, { value: e.currentTarget.value })} error={err(`mutations/${i}/value`)} autosize minRows={2} ff="monospace" />
              ) : (
                <TextInput
                  key={f}
                  label={f === 'value' ? t(`changes.value.${r.action}`) : t(`changes.${f}`)}
                  value={r[f]}
                  onChange={(e) => setRow(i, { [f]: e.currentTarget.value })}
                  error={err(`mutations/${i}/${f}`)}
                />
              ),
            )}
          </Stack>
        </Card>
      ))}
      <Group>
        <Button variant="light" onClick={() => onChange({ ...value, rows: [...value.rows, blankRow()] })}>
          {t('changes.addMutation')}
        </Button>
      </Group>
      <Textarea label={t('changes.css')} placeholder=".cta { font-size: 1.25rem }" value={value.css} onChange={(e) => onChange({ ...value, css: e.currentTarget.value })} error={err('css')} autosize minRows={2} ff="monospace" />
      <TextInput label={t('changes.redirect')} description={t('changes.redirectHint')} placeholder="https://…" value={value.redirect} onChange={(e) => onChange({ ...value, redirect: e.currentTarget.value })} error={err('redirect')} />
      <Textarea label={t('changes.js')} description={t('changes.jsHint')} value={value.js} onChange={(e) => onChange({ ...value, js: e.currentTarget.value })} error={err('js')} autosize minRows={2} ff="monospace" />
    </Stack>
  );
}

/** A change set read-only: what the variant does to the page. */
export function ChangeSetView({ changes }: { changes: ChangeSet | null | undefined }) {
  const { t } = useTranslation();
  if (!changes || !Object.keys(changes).length) return <Text size="sm" c="dimmed">{t('changes.none')}</Text>;
  const detail = (m: Mutation) =>
    FIELDS[m.action]
      .map((f) => (f === 'position' ? t(`changes.position.${(m as { position: InsertPosition }).position}`) : (m as unknown as Record<Field, string>)[f]))
      .join(' · ');
  return (
    <Stack gap="xs" data-testid="change-set">
      {(changes.mutations ?? []).length > 0 && (
        <Table fz="sm">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t('changes.selector')}</Table.Th>
              <Table.Th>{t('changes.actionLabel')}</Table.Th>
              <Table.Th>{t('changes.detail')}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {changes.mutations!.map((m, i) => (
              <Table.Tr key={i}>
                <Table.Td><Code>{m.selector}</Code></Table.Td>
                <Table.Td>{t(`changes.action.${m.action}`)}</Table.Td>
                <Table.Td style={{ wordBreak: 'break-all' }}>{detail(m)}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      {changes.css && (
        <Stack gap={2}>
          <Text size="xs" c="dimmed">{t('changes.css')}</Text>
          <Code block>{changes.css}</Code>
        </Stack>
      )}
      {changes.redirect && (
        <Text size="sm">
          {t('changes.redirect')}: <Code>{changes.redirect}</Code>
        </Text>
      )}
      {changes.js && (
        <Alert color="yellow" title={t('changes.js')} p="xs">
          <Code block>{changes.js}</Code>
        </Alert>
      )}
    </Stack>
  );
}
