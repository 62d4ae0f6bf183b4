// Japanese and English; Japanese for a `ja` browser (and by default), English otherwise; the choice is
// remembered (a language, never a secret) in localStorage. Missing keys are recorded for the tests.
import i18n from 'i18next';
import { initReactI18next } from 'react-i18next';

export const LANGS = ['ja', 'en'] as const;
export type Lang = (typeof LANGS)[number];

function initialLang(): Lang {
  const saved = localStorage.getItem('kaizen.lang');
  if (saved === 'ja' || saved === 'en') return saved;
  const nav = navigator.languages?.[0] ?? navigator.language ?? 'ja';
  return nav.toLowerCase().startsWith('en') ? 'en' : 'ja';
}

declare global {
  interface Window {
    __missingKeys?: string[];
  }
}
window.__missingKeys = [];

// Only the reader's language is loaded (each catalogue is its own chunk, tens of kB on the wire); the
// other comes when the reader switches (setLanguage).
const CATALOGUES: Record<Lang, () => Promise<{ default: Record<string, unknown> }>> = { ja: () => import('./ja.json'), en: () => import('./en.json') };
async function loadCatalogue(l: Lang): Promise<void> {
  if (!i18n.hasResourceBundle(l, 'translation')) i18n.addResourceBundle(l, 'translation', (await CATALOGUES[l]()).default);
}

const lng = initialLang();
void i18n.use(initReactI18next).init({
  resources: {},
  partialBundledLanguages: true,
  lng,
  fallbackLng: false,
  interpolation: { escapeValue: false },
  saveMissing: true,
  missingKeyHandler: (_lngs, _ns, key) => {
    window.__missingKeys!.push(key);
  },
});
document.documentElement.lang = i18n.language;
// The first render has its words.
await loadCatalogue(lng);

/** Switches the UI's language once its catalogue is here. */
export async function setLanguage(l: Lang): Promise<void> {
  await loadCatalogue(l);
  await i18n.changeLanguage(l);
}

i18n.on('languageChanged', (l) => {
  document.documentElement.lang = l;
  localStorage.setItem('kaizen.lang', l);
});

export default i18n;
