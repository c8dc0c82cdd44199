// The language switch of the dashboard: in the header of signed-in pages and on the sign-in pages. The choice is
// remembered in this browser (i18n/language.ts) and applies at once.
import { LANGUAGES } from '@arvlite/contract';
import { Button, Menu } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { language, setLanguage } from '../i18n/dashboard.ts';

export function LanguageMenu() {
  const { t } = useTranslation();
  const current = language();
  return (
    <Menu position="bottom-end" withinPortal>
      <Menu.Target>
        <Button
          variant="subtle"
          size="compact-sm"
          color="gray"
          aria-label={t('language.menu', { language: t(`common:language.${current}`) })}
          lang={current}
        >
          {t(`common:language.${current}`)}
        </Button>
      </Menu.Target>
      <Menu.Dropdown>
        <Menu.Label>{t('language.choose')}</Menu.Label>
        {LANGUAGES.map((lng) => (
          <Menu.Item
            key={lng}
            lang={lng}
            aria-current={lng === current ? 'true' : undefined}
            fw={lng === current ? 600 : undefined}
            onClick={() => setLanguage(lng)}
          >
            {t(`common:language.${lng}`)}
          </Menu.Item>
        ))}
      </Menu.Dropdown>
    </Menu>
  );
}
