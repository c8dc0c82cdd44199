// Общие русские тексты (пространство `common`).
import type { common as en } from './en.ts';

type Shape<T> = { [K in keyof T]: T[K] extends object ? Shape<T[K]> : string };

export const common = {
  language: { en: 'English', ru: 'Русский', label: 'Язык' },
  count: {
    videos_one: '{{count}} видео',
    videos_few: '{{count}} видео',
    videos_many: '{{count}} видео',
    videos_other: '{{count}} видео',
    files_one: '{{count}} файл',
    files_few: '{{count}} файла',
    files_many: '{{count}} файлов',
    files_other: '{{count}} файла',
    items_one: '{{count}} элемент',
    items_few: '{{count}} элемента',
    items_many: '{{count}} элементов',
    items_other: '{{count}} элемента',
    views_one: '{{count}} просмотр',
    views_few: '{{count}} просмотра',
    views_many: '{{count}} просмотров',
    views_other: '{{count}} просмотра',
  },
  actions: {
    cancel: 'Отмена',
    save: 'Сохранить',
    delete: 'Удалить',
    retry: 'Повторить',
    close: 'Закрыть',
  },
  errors: {
    NOT_FOUND: 'Не найдено.',
    FORBIDDEN: 'У вас нет прав на это действие.',
    UNAUTHORIZED: 'Войдите, чтобы продолжить.',
    CONFLICT: 'Данные изменились. Обновите страницу и попробуйте снова.',
    BAD_REQUEST: 'Некоторые значения заполнены неверно.',
    TOO_MANY_REQUESTS: 'Слишком много попыток. Повторите чуть позже.',
    PRECONDITION_FAILED: 'Сейчас это действие недоступно.',
    SERVICE_UNAVAILABLE: 'Сервис занят. Повторите немного позже.',
    PAYLOAD_TOO_LARGE: 'Слишком большой объём.',
    QUOTA_EXCEEDED: 'Хранилище компании заполнено.',
    EMAIL_NOT_VERIFIED: 'Сначала подтвердите адрес электронной почты.',
    EMAIL_VERIFICATION_INVALID: 'Ссылка для подтверждения недействительна или устарела. Запросите новую.',
    ACCOUNT_EMAIL_UNVERIFIED:
      'Аккаунт с этим адресом уже есть, но адрес не подтверждён. Войдите по паролю и сначала подтвердите его.',
    OIDC_EMAIL_UNVERIFIED: 'Сервис входа не подтвердил ваш адрес электронной почты.',
    NETWORK: 'Нет связи с сервером.',
    UNKNOWN: 'Что-то пошло не так.',
  },
} satisfies Omit<Shape<typeof en>, 'count'> & { count: Record<string, string> };
