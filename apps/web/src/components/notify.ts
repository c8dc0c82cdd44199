// Notifications are announced: Mantine renders them with role="alert".
import { notifications } from '@mantine/notifications';
import { errorMessage, type ErrorTexts } from '../api.ts';
import { t } from '../i18n/dashboard.ts';

/** A failed action: `title` says what failed (already translated), the message why (see errorMessage). */
export function notifyError(err: unknown, title = t('common:errors.UNKNOWN'), texts?: ErrorTexts) {
  notifications.show({ color: 'red', title, message: errorMessage(err, texts), autoClose: 8000 });
}

export function notifySuccess(message: string, title?: string) {
  notifications.show({ color: 'teal', title, message, autoClose: 4000 });
}
