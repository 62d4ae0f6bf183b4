import { Alert, AppShell, Burger, Button, Center, Group, Loader, NavLink, PasswordInput, Paper, SegmentedControl, Stack, Text, Title } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { useQueryClient } from '@tanstack/react-query';
import { Suspense, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, Navigate, Route, Routes, useLocation } from 'react-router';
import { setLanguage, type Lang } from '../i18n/index.ts';
import { ErrorAlert, PageErrorBoundary, PageLoader } from './feedback.tsx';
import { PAGES, preloadPageAt } from './pages.ts';
import { likelySignedIn, SESSION_EXPIRED_KEY, SESSION_KEY, SessionProvider, signIn, signOut, useSessionQuery, type Session } from './session.tsx';

// The page of the address the app opened at starts loading beside the session request, not after it
// (when this browser was signed in: a signed-out visitor gets the sign-in page without it).
if (likelySignedIn()) preloadPageAt(window.location.pathname);

export function LanguageSwitch() {
  const { t, i18n } = useTranslation();
  return (
    <SegmentedControl
      size="xs"
      aria-label={t('shell.language')}
      value={i18n.language}
      onChange={(v) => void setLanguage(v as Lang)}
      data={[
        { value: 'ja', label: '日本語' },
        { value: 'en', label: 'English' },
      ]}
    />
  );
}

function SignIn() {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const [token, setToken] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const expired = qc.getQueryData<boolean>(SESSION_EXPIRED_KEY);
  return (
    <Center mih="100vh" component="main">
      <Paper withBorder p="xl" w={420}>
        <form
          onSubmit={async (e) => {
            e.preventDefault();
            setBusy(true);
            setError(null);
            try {
              const s = await signIn(token.trim());
              setToken('');
              qc.removeQueries({ queryKey: SESSION_EXPIRED_KEY });
              qc.setQueryData(SESSION_KEY, s);
            } catch (err) {
              setError(err);
            } finally {
              setBusy(false);
            }
          }}
        >
          <Stack>
            <Group justify="space-between">
              <Title order={1} size="h2">
                Kaizen Desk
              </Title>
              <LanguageSwitch />
            </Group>
            {expired && (
              <Alert color="orange" role="status" data-testid="session-expired">
                {t('signin.expired')}
              </Alert>
            )}
            <Text size="sm">{t('signin.intro')}</Text>
            <PasswordInput label={t('signin.token')} value={token} onChange={(e) => setToken(e.currentTarget.value)} autoComplete="off" required />
            <ErrorAlert error={error} />
            <Button type="submit" loading={busy}>
              {t('signin.submit')}
            </Button>
          </Stack>
        </form>
      </Paper>
    </Center>
  );
}

function Shell({ session }: { session: Session }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const loc = useLocation();
  const [opened, { toggle }] = useDisclosure();
  const mine = PAGES.filter((p) => session.can[p.can]);
  const nav = mine.filter((p) => p.nav).sort((a, b) => a.nav!.order - b.nav!.order);
  return (
    // Phones: the header's items take two rows, and the header (so the page's top offset) is as tall.
    <AppShell header={{ height: { base: 96, sm: 56 } }} navbar={{ width: 220, breakpoint: 'sm', collapsed: { mobile: !opened } }} padding="md">
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" className="kz-header">
          <Group wrap="nowrap">
            <Burger opened={opened} onClick={toggle} hiddenFrom="sm" size="sm" aria-label={t('shell.menu')} />
            <Text fw={700} component={Link} to="/">
              Kaizen Desk
            </Text>
          </Group>
          <Group gap="xs" className="kz-header-tools">
            <LanguageSwitch />
            <Text size="sm" data-testid="whoami">
              {session.user.name} · {t(`roles.${session.user.role}`)}
            </Text>
            <Button
              size="xs"
              variant="default"
              onClick={async () => {
                await signOut();
                qc.clear();
                qc.setQueryData(SESSION_KEY, null);
              }}
            >
              {t('shell.signOut')}
            </Button>
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="xs" component="nav" aria-label={t('shell.navigation')}>
        {nav.map((p) => (
          <NavLink
            key={p.path}
            component={Link}
            to={p.path}
            label={t(p.nav!.label)}
            onMouseEnter={() => void p.preload().catch(() => undefined)}
            onFocus={() => void p.preload().catch(() => undefined)}
            active={p.path === '/' ? loc.pathname === '/' : loc.pathname.startsWith(p.path)}
          />
        ))}
      </AppShell.Navbar>
      <AppShell.Main component="main">
        {/* The shell is up before a page's code and data: a loader in the page area meanwhile. */}
        <PageLoader />
        <PageErrorBoundary key={loc.pathname} fallback={(reload) => <ErrorAlert error={new Error('page code')} retry={reload} />}>
          <Suspense fallback={<PageLoader always />}>
            <Routes>
              {mine.map((p) => (
                <Route key={p.path} path={p.path} element={<p.Component />} />
              ))}
              {/* A role without the tasks page (partners) starts at its first page instead of an error. */}
              {!mine.some((p) => p.path === '/') && nav[0] && <Route path="/" element={<Navigate replace to={nav[0].path} />} />}
              <Route path="*" element={<Alert color="red" role="alert" title={t('common.error')}>{t('common.noPage')}</Alert>} />
            </Routes>
          </Suspense>
        </PageErrorBoundary>
      </AppShell.Main>
    </AppShell>
  );
}

export function App() {
  const q = useSessionQuery();
  if (q.isPending)
    return (
      <Center mih="100vh">
        <Loader aria-label="loading" />
      </Center>
    );
  if (q.error)
    return (
      <Center mih="100vh" component="main">
        <ErrorAlert error={q.error} retry={() => q.refetch()} />
      </Center>
    );
  if (!q.data) return <SignIn />;
  return (
    <SessionProvider value={q.data}>
      <Shell session={q.data} />
    </SessionProvider>
  );
}
