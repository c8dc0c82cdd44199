// The language layer every user-facing text goes through: one i18next setup, shared catalogs, locale-aware formats.
// Pure TypeScript on i18next and Intl: the same code runs in the dashboard, the viewer and the React Native app.
export { createI18n, detectLanguage, type I18n, type Resources } from './i18n.ts';
export {
  currencyMinorDigits,
  formatBytes,
  formatDate,
  formatDateTime,
  formatDuration,
  formatMoney,
  formatNumber,
  formatPercent,
} from './format.ts';
export { catalogKeys, missingKeys } from './catalog.ts';
export { common as commonEn } from './locales/en.ts';
export { common as commonRu } from './locales/ru.ts';
