// Screenshots of proposals (issue 23): a proposal's PC and phone images beside the current page's, the
// automatic checks as a checklist in the reader's language, a large view; each test arm's images. The
// shapes are the API's (src/api/schemas/renders.ts); images are same-origin URLs the session cookie opens.
import { Alert, Anchor, Badge, Group, List, Loader, Modal, SimpleGrid, Stack, Text, ThemeIcon, UnstyledButton } from '@mantine/core';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Body } from '../api/client.ts';

/** A render as the API gives it (src/api/schemas/renders.ts): one device of a proposal's current version. */
export type Render = Body<'/v1/proposals/{id}', 'get'>['renders'][number];
export type RenderImage = NonNullable<Render['control']>;
export type RenderCheck = Render['checks'][number];
export type Device = Render['device'];
/** An arm's image of one device (a test arm, a knowledge entry). */
export interface ArmImage {
  device: Device;
  image: RenderImage;
}

export const DEVICES: Device[] = ['pc', 'phone'];

/** The render of each device for the proposal's current version (a revision's renders replace the last). */
export function currentRenders(renders: readonly Render[] | undefined, version: number): Partial<Record<Device, Render>> {
  const out: Partial<Record<Device, Render>> = {};
  for (const r of renders ?? []) if (r.version === version) out[r.device] = r;
  return out;
}

/** A thumbnail that opens the large view: a real button (keyboard, screen readers), the image's alt as its name. */
function Thumb({ image, alt, onOpen, testId }: { image: RenderImage; alt: string; onOpen: () => void; testId: string }) {
  return (
    <UnstyledButton onClick={onOpen} aria-label={alt} style={{ display: 'block', width: '100%', minWidth: 0 }} data-testid={testId}>
      <img
        src={image.thumb_url}
        alt={alt}
        loading="lazy"
        style={{ display: 'block', width: '100%', height: 'auto', maxHeight: 260, objectFit: 'cover', objectPosition: 'top', border: '1px solid var(--mantine-color-gray-4)', borderRadius: 4 }}
      />
    </UnstyledButton>
  );
}

/** The large view: both images at full resolution side by side (stacked on a phone), each scrollable. */
function LargeView({ opened, onClose, title, images }: { opened: boolean; onClose: () => void; title: string; images: { label: string; image: RenderImage }[] }) {
  const { t } = useTranslation();
  return (
    <Modal opened={opened} onClose={onClose} title={title} size="95%" data-testid="large-view">
      <SimpleGrid cols={{ base: 1, sm: images.length }}>
        {images.map(({ label, image }) => (
          <Stack key={label} gap={4} style={{ minWidth: 0 }}>
            <Group justify="space-between">
              <Text fw={600} size="sm">{label}</Text>
              <Anchor href={image.url} target="_blank" rel="noreferrer" size="sm">{t('renders.openFull')}</Anchor>
            </Group>
            <img src={image.url} alt={label} style={{ display: 'block', width: '100%', height: 'auto', border: '1px solid var(--mantine-color-gray-4)' }} />
          </Stack>
        ))}
      </SimpleGrid>
    </Modal>
  );
}

/** The automatic checks as sentences: the name from the catalogue, the details (selectors, messages, shares) as data. */
export function Checklist({ checks }: { checks: RenderCheck[] }) {
  const { t } = useTranslation();
  if (checks.length === 0) return null;
  return (
    <List spacing={2} size="sm" center data-testid="checks">
      {checks.map((c) => (
        <List.Item
          key={c.name}
          data-ok={c.ok}
          icon={
            <ThemeIcon color={c.ok ? 'teal' : 'red'} size={18} radius="xl" aria-hidden>
              <Text size="xs" c="white" fw={700} component="span">{c.ok ? '✓' : '!'}</Text>
            </ThemeIcon>
          }
        >
          <Text size="sm" component="span">
            {t(`renders.check.${c.name}.${c.ok ? 'ok' : 'bad'}`, { defaultValue: t('renders.check.other', { ok: c.ok ? t('renders.passed') : t('renders.failedCheck') }) })}
          </Text>
          {c.details.length > 0 && (
            <Text size="xs" c="dimmed" component="span" style={{ wordBreak: 'break-all' }}>
              {' '}— {c.details.slice(0, 5).join(', ')}
            </Text>
          )}
        </List.Item>
      ))}
    </List>
  );
}

/** One device's render: "rendering…", the reason it failed in words, or the two thumbnails and the checks. */
function DeviceRender({ device, render, title }: { device: Device; render: Render | undefined; title: string }) {
  const { t } = useTranslation();
  const [open, setOpen] = useState(false);
  const deviceName = t(`renders.device.${device}`);
  return (
    <Stack gap="xs" style={{ minWidth: 0 }} data-testid={`render-${device}`} data-status={render?.status ?? 'none'}>
      <Text fw={600} size="sm">{deviceName}</Text>
      {!render || render.status === 'pending' ? (
        <Group gap="xs" role="status">
          <Loader size="xs" />
          <Text size="sm">{t('renders.rendering')}</Text>
        </Group>
      ) : render.status === 'failed' ? (
        <Alert color="orange" p="xs" data-testid="render-failed">
          {t(`renders.reason.${render.reason ?? 'other'}`, { defaultValue: t('renders.reason.other') })}
        </Alert>
      ) : (
        <>
          <SimpleGrid cols={2} spacing="xs">
            {render.control && (
              <Stack gap={2} style={{ minWidth: 0 }}>
                <Text size="xs" c="dimmed">{t('renders.current')}</Text>
                <Thumb image={render.control} alt={t('renders.altControl', { device: deviceName })} onOpen={() => setOpen(true)} testId="thumb-control" />
              </Stack>
            )}
            {render.variant && (
              <Stack gap={2} style={{ minWidth: 0 }}>
                <Text size="xs" c="dimmed">{t('renders.proposal')}</Text>
                <Thumb image={render.variant} alt={t('renders.altVariant', { title, device: deviceName })} onOpen={() => setOpen(true)} testId="thumb-variant" />
              </Stack>
            )}
          </SimpleGrid>
          <Checklist checks={render.checks} />
          <LargeView
            opened={open}
            onClose={() => setOpen(false)}
            title={`${title} — ${deviceName}`}
            images={[
              ...(render.control ? [{ label: t('renders.current'), image: render.control }] : []),
              ...(render.variant ? [{ label: t('renders.proposal'), image: render.variant }] : []),
            ]}
          />
        </>
      )}
    </Stack>
  );
}

/** A proposal version's PC and phone renders, each beside the current page. */
export function ProposalRenders({ renders, version, title }: { renders: readonly Render[] | undefined; version: number; title: string }) {
  const byDevice = currentRenders(renders, version);
  return (
    <SimpleGrid cols={{ base: 1, sm: 2 }} data-testid="proposal-renders">
      {DEVICES.map((d) => (
        <DeviceRender key={d} device={d} render={byDevice[d]} title={title} />
      ))}
    </SimpleGrid>
  );
}

/** An arm's images (a test arm, a knowledge entry's control or winner): PC and phone thumbnails with a large view. */
export function ArmImages({ images, label }: { images: readonly ArmImage[] | undefined; label: string }) {
  const { t } = useTranslation();
  const [open, setOpen] = useState<Device | null>(null);
  const list = DEVICES.flatMap((d) => (images ?? []).filter((i) => i.device === d));
  if (list.length === 0) return <Badge variant="light" color="gray">{t('renders.noImages')}</Badge>;
  const shown = list.find((i) => i.device === open);
  return (
    <>
      <Group gap="xs" align="flex-start" wrap="nowrap" data-testid="arm-images">
        {list.map((i) => (
          <Stack key={i.device} gap={2} style={{ minWidth: 0, flex: i.device === 'pc' ? 3 : 1 }}>
            <Text size="xs" c="dimmed">{t(`renders.device.${i.device}`)}</Text>
            <Thumb image={i.image} alt={t('renders.altArm', { arm: label, device: t(`renders.device.${i.device}`) })} onOpen={() => setOpen(i.device)} testId={`arm-image-${i.device}`} />
          </Stack>
        ))}
      </Group>
      <LargeView opened={shown !== undefined} onClose={() => setOpen(null)} title={`${label} — ${t(`renders.device.${open ?? 'pc'}`)}`} images={shown ? [{ label, image: shown.image }] : []} />
    </>
  );
}
