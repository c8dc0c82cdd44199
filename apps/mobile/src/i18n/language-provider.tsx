// Holds the language the app shows and hands react-i18next an instance for it. Switching languages swaps the
// instance (one per language, made once), so every translated text re-renders and no screen loses its state.
import type { Language } from '@arvlite/contract';
import type { I18n } from '@arvlite/i18n';
import { createContext, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { I18nextProvider } from 'react-i18next';
import type { KeyValueStore } from '../lib/key-value-store.ts';
import { deviceLanguages, showLanguage } from '../platform/locale';
import { createAppI18n, readChosenLanguage, resolveLanguage, saveChosenLanguage } from './index.ts';

interface LanguageState {
  language: Language;
  /** The person's own choice; null while they have not made one. */
  chosen: Language | null;
  choose(language: Language): void;
  /** The language of the content on screen (a company's default for its viewer pages); null when there is none. */
  setContentLanguage(language: Language | null): void;
}

const LanguageContext = createContext<LanguageState | null>(null);

export function LanguageProvider({ store, children }: { store: KeyValueStore; children: ReactNode }) {
  const device = useMemo(deviceLanguages, []);
  // undefined until the stored choice is read, so a remembered language shows from the first frame.
  const [chosen, setChosen] = useState<Language | null | undefined>(undefined);
  const [content, setContentLanguage] = useState<Language | null>(null);
  const language = resolveLanguage({ chosen: chosen ?? null, content, device });
  const [instances] = useState(() => new Map<Language, I18n>());
  let i18n = instances.get(language);
  if (!i18n) instances.set(language, (i18n = createAppI18n(language)));

  useEffect(() => {
    let live = true;
    void readChosenLanguage(store).then((stored) => live && setChosen((c) => (c === undefined ? stored : c)));
    return () => {
      live = false;
    };
  }, [store]);
  useEffect(() => showLanguage(language), [language]);

  const state = useMemo<LanguageState>(
    () => ({
      language,
      chosen: chosen ?? null,
      choose: (lng) => {
        setChosen(lng);
        void saveChosenLanguage(store, lng).catch(() => undefined);
      },
      setContentLanguage,
    }),
    [language, chosen, store],
  );

  if (chosen === undefined) return null;
  return (
    <LanguageContext.Provider value={state}>
      <I18nextProvider i18n={i18n}>{children}</I18nextProvider>
    </LanguageContext.Provider>
  );
}

export function useLanguage(): LanguageState {
  const state = useContext(LanguageContext);
  if (!state) throw new Error('useLanguage outside LanguageProvider');
  return state;
}

/** Shows this screen in its content's language (unless the person chose one), while the screen is open. */
export function useContentLanguage(language: Language | null | undefined): void {
  const { setContentLanguage } = useLanguage();
  useEffect(() => {
    setContentLanguage(language ?? null);
    return () => setContentLanguage(null);
  }, [language, setContentLanguage]);
}
