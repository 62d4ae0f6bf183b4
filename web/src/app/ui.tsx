// Small shared pieces: API error display (with Retry), the page-area loader, the phone-width table, field errors by `details[].path`, confirmation, paging,
// status badges, live refresh.
import { Badge, Button, Group, Modal, Stack, Switch, Table, Text, type TableProps } from '@mantine/core';
import { useInfiniteQuery } from '@tanstack/react-query';
import { useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { pageOf } from '../api/client.ts';
import { queryKey, type GetParams, type GetPath, type ListShape } from '../api/keys.ts';
import { formErrors } from './messages.ts';

/** What is wrong with a field, in words (app/messages.ts): `field` is the path below /body or /querystring, e.g. "pages/0/url". */
export function fieldError(err: unknown, field: string): string | undefined {
  return formErrors(err)[field];
}

// The error alert with Retry, the page-area loader and the page error boundary live in feedback.tsx
// (the shell needs them before any page, without this file's dialogs and tables); pages take them from here.
export { ErrorAlert, PageErrorBoundary, PageLoader } from './feedback.tsx';

/**
 * A table at phone width: scrolls sideways inside its own box with the first column kept in view
 * (the row's name), instead of overflowing the page; its cells do not wrap badges into dots.
 */
export function ResponsiveTable({ children, minWidth = 640, ...props }: TableProps & { minWidth?: number }) {
  return (
    // Focusable, so a keyboard can scroll it sideways (axe: scrollable-region-focusable at 390 px).
    <Table.ScrollContainer minWidth={minWidth} type="native" className="kz-table-scroll" tabIndex={0}>
      <Table {...props} className="kz-table-sticky">
        {children}
      </Table>
    </Table.ScrollContainer>
  );
}

/** A button that asks before it acts (money and decisions). */
export function ConfirmButton(props: {
  label: string;
  title: string;
  body: ReactNode;
  onConfirm: () => Promise<unknown> | void;
  color?: string;
  disabled?: boolean;
  variant?: string;
  size?: string;
  extra?: ReactNode;
  confirmDisabled?: boolean;
}) {
  const { t } = useTranslation();
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  return (
    <>
      <Button color={props.color} variant={props.variant} size={props.size} disabled={props.disabled} onClick={() => setOpen(true)}>
        {props.label}
      </Button>
      <Modal opened={open} onClose={() => setOpen(false)} title={props.title}>
        <Stack>
          <Text>{props.body}</Text>
          {props.extra}
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setOpen(false)}>
              {t('common.cancel')}
            </Button>
            <Button
              color={props.color}
              loading={busy}
              disabled={props.confirmDisabled}
              onClick={async () => {
                setBusy(true);
                try {
                  await props.onConfirm();
                  setOpen(false);
                } finally {
                  setBusy(false);
                }
              }}
            >
              {t('common.confirm')}
            </Button>
          </Group>
        </Stack>
      </Modal>
    </>
  );
}

/** A kill switch: flipping it asks first (it changes what every visitor of a live site sees). */
export function KillSwitch(props: { label: string; on: boolean; onBody: string; offBody: string; set: (on: boolean) => Promise<unknown> }) {
  const { t } = useTranslation();
  const [asking, setAsking] = useState(false);
  const [busy, setBusy] = useState(false);
  const next = !props.on;
  return (
    <>
      <Switch label={props.label} checked={props.on} color="red" onChange={() => setAsking(true)} data-testid="kill-switch" />
      <Modal opened={asking} onClose={() => setAsking(false)} title={next ? t('kill.onTitle') : t('kill.offTitle')}>
        <Stack>
          <Text>{next ? props.onBody : props.offBody}</Text>
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setAsking(false)}>
              {t('common.cancel')}
            </Button>
            <Button
              color={next ? 'red' : undefined}
              loading={busy}
              onClick={async () => {
                setBusy(true);
                try {
                  await props.set(next).catch(() => undefined);
                  setAsking(false);
                } finally {
                  setBusy(false);
                }
              }}
            >
              {t('common.confirm')}
            </Button>
          </Group>
        </Stack>
      </Modal>
    </>
  );
}

/** A cursor-paged GET shown page by page ("more"), cached as its own shape of the request. */
export function usePaged<P extends GetPath>(path: P, params: GetParams<P>, refetchInterval?: number | false) {
  const q = useInfiniteQuery({
    queryKey: queryKey(path, params, 'pages' satisfies ListShape),
    queryFn: ({ pageParam }) => pageOf(path, params, pageParam),
    initialPageParam: undefined as number | undefined,
    getNextPageParam: (last) => last.next_after_id ?? undefined,
    refetchInterval,
  });
  return { ...q, items: q.data?.pages.flatMap((p) => p.items) ?? [] };
}

export function MoreButton({ q }: { q: { hasNextPage: boolean; isFetchingNextPage: boolean; fetchNextPage: () => unknown } }) {
  const { t } = useTranslation();
  if (!q.hasNextPage) return null;
  return (
    <Button variant="light" loading={q.isFetchingNextPage} onClick={() => q.fetchNextPage()}>
      {t('common.more')}
    </Button>
  );
}

const COLORS: Record<string, string> = {
  active: 'green', running: 'blue', review: 'orange', completed: 'gray', ended: 'gray', ending: 'yellow', rejected: 'red', blocked: 'red',
  held: 'orange', pending: 'blue', sent: 'green', failed: 'red', cancelled: 'gray', winner: 'green', loser: 'red', inconclusive: 'gray', blocked_by_guardrail: 'orange',
  invalid: 'red', open: 'green', closed: 'gray', submitted: 'blue', selected: 'green', withdrawn: 'gray', paying: 'blue', remitting: 'violet',
  handed_to_bank: 'blue', confirmed: 'green', returned: 'red', needs_attention: 'red',
};

export function StatusBadge({ value }: { value: string | null | undefined }) {
  const { t, i18n } = useTranslation();
  if (!value) return null;
  return (
    <Badge color={COLORS[value] ?? 'indigo'} variant="light">
      {i18n.exists(`status.${value}`) ? t(`status.${value}`) : value.replace(/_/g, ' ')}
    </Badge>
  );
}

/** Poll every few seconds while something is live. */
export const LIVE_MS = 2_000;
