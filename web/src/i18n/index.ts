// Japanese and English; Japanese for a `ja` browser (and by default), English otherwise; the choice is
// remembered (a language, never a secret) in localStorage. Missing keys are recorded for the tests.
import i18n from 'i18next';
import { initReactI18next } from 'react-i18next';
import en from './en.json';
import ja from './ja.json';

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

void i18n.use(initReactI18next).init({
  resources: { en: { translation: en }, ja: { translation: ja } },
  lng: initialLang(),
  fallbackLng: false,
  interpolation: { escapeValue: false },
  saveMissing: true,
  missingKeyHandler: (_lngs, _ns, key) => {
    window.__missingKeys!.push(key);
  },
});
document.documentElement.lang = i18n.language;
i18n.on('languageChanged', (l) => {
  document.documentElement.lang = l;
  localStorage.setItem('kaizen.lang', l);
});

export default i18n;
