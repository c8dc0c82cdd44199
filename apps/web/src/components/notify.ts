// Notifications are announced: Mantine renders them with role="alert".
import { notifications } from '@mantine/notifications';
import { errorMessage } from '../api.ts';

export function notifyError(err: unknown, title = 'Something went wrong') {
  notifications.show({ color: 'red', title, message: errorMessage(err), autoClose: 8000 });
}

export function notifySuccess(message: string, title?: string) {
  notifications.show({ color: 'teal', title, message, autoClose: 4000 });
}
