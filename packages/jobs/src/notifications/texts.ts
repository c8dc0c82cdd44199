// What notification mail and push say, per kind, in English and Russian (the dashboard renders in-app ones from its
// own catalogs). Values are plain text here; the mail renderer escapes them.
import type { Language, NotificationKind, NotificationParams } from '@arvlite/contract';

export interface NotificationText {
  title: string;
  body: string;
  /** The button of the mail. */
  action: string;
}

type Texts = Record<NotificationKind, (p: NotificationParams, company: string) => Omit<NotificationText, 'action'>> & {
  action: string;
  untitled: string;
};

const en: Texts = {
  action: 'Open in ARVlite',
  untitled: 'Untitled',
  'video.ready': (p) => ({ title: `Video ready: ${p.title}`, body: `“${p.title}” is processed and plays everywhere.` }),
  'video.failed': (p) => ({
    title: `Video failed: ${p.title}`,
    body: `“${p.title}” could not be processed (reason: ${p.reason ?? 'unknown'}). Open it to retry or upload another file.`,
  }),
  'marker.published': (p) => ({
    title: `Marker published: ${p.title}`,
    body: `The marker of “${p.title}” now serves scans.`,
  }),
  'marker.awaiting-confirmation': (p) => ({
    title: `Marker needs your confirmation: ${p.title}`,
    body: `The new marker of “${p.title}” was not detected head-on at 30 cm at its printed size, so it was not published. Open it to see the detection report, then upload a better image or publish it anyway.`,
  }),
  'marker.poor-score': (p) => ({
    title: `Marker detected poorly: ${p.title}`,
    body: `The published marker of “${p.title}” scored ${p.score ?? 0}/100 in the detection test at its printed size: phones may fail to recognise it. Open it for the report and advice on a better image or print.`,
  }),
  'ar-content.expiring': (p) => ({
    title: `Expires in ${p.days} ${p.days === 1 ? 'day' : 'days'}: ${p.title}`,
    body: `“${p.title}” stops showing on ${p.expiresAt?.slice(0, 10)}. Extend its end date to keep it working.`,
  }),
  'ar-content.expired': (p) => ({
    title: `Expired: ${p.title}`,
    body: `“${p.title}” reached its end date; viewers now see that it has expired.`,
  }),
  'quota.warning': (p, company) => ({
    title: `Storage ${p.percent}% full`,
    body: `${company} uses ${p.percent}% of its storage quota. Delete unused videos or ask for a larger quota.`,
  }),
  'quota.full': (_p, company) => ({
    title: 'Storage full',
    body: `${company} has used its whole storage quota: new uploads are refused until space is freed.`,
  }),
  'member.invited': (p, company) => ({
    title: `Invitation sent: ${p.title}`,
    body: `${p.title} was invited to ${company} as ${p.role}.`,
  }),
  'member.joined': (p, company) => ({
    title: `New member: ${p.title}`,
    body: `${p.title} joined ${company} as ${p.role}.`,
  }),
  'customer-upload.completed': (p) => ({
    title: `Customer video to review: ${p.title}`,
    body: `The customer uploaded the video for “${p.title}”. It goes live when you approve it on the item’s page.`,
  }),
};

const ruDays = (n: number) => {
  const m10 = n % 10;
  const m100 = n % 100;
  if (m10 === 1 && m100 !== 11) return 'день';
  if (m10 >= 2 && m10 <= 4 && (m100 < 12 || m100 > 14)) return 'дня';
  return 'дней';
};

const ru: Texts = {
  action: 'Открыть в ARVlite',
  untitled: 'Без названия',
  'video.ready': (p) => ({
    title: `Видео готово: ${p.title}`,
    body: `«${p.title}» обработано и воспроизводится везде.`,
  }),
  'video.failed': (p) => ({
    title: `Ошибка обработки видео: ${p.title}`,
    body: `«${p.title}» не удалось обработать (причина: ${p.reason ?? 'неизвестна'}). Откройте его, чтобы повторить или загрузить другой файл.`,
  }),
  'marker.published': (p) => ({
    title: `Маркер опубликован: ${p.title}`,
    body: `Маркер «${p.title}» теперь распознаётся.`,
  }),
  'marker.awaiting-confirmation': (p) => ({
    title: `Маркер ждёт подтверждения: ${p.title}`,
    body: `Новый маркер «${p.title}» не распознаётся прямо с 30 см при своём размере печати, поэтому он не опубликован. Откройте его, чтобы увидеть отчёт о распознавании, затем загрузите изображение получше или опубликуйте его всё равно.`,
  }),
  'marker.poor-score': (p) => ({
    title: `Маркер плохо распознаётся: ${p.title}`,
    body: `Опубликованный маркер «${p.title}» получил ${p.score ?? 0}/100 в проверке распознавания при своём размере печати: телефоны могут его не распознать. Откройте его, чтобы увидеть отчёт и советы, как улучшить изображение или печать.`,
  }),
  'ar-content.expiring': (p) => ({
    title: `Истекает через ${p.days} ${ruDays(p.days ?? 0)}: ${p.title}`,
    body: `«${p.title}» перестанет показываться ${p.expiresAt?.slice(0, 10)}. Продлите срок, чтобы он продолжал работать.`,
  }),
  'ar-content.expired': (p) => ({
    title: `Срок истёк: ${p.title}`,
    body: `Срок «${p.title}» закончился; зрители видят, что он истёк.`,
  }),
  'quota.warning': (p, company) => ({
    title: `Хранилище заполнено на ${p.percent}%`,
    body: `${company} использует ${p.percent}% квоты хранилища. Удалите ненужные видео или попросите увеличить квоту.`,
  }),
  'quota.full': (_p, company) => ({
    title: 'Хранилище заполнено',
    body: `${company} использовала всю квоту хранилища: новые загрузки отклоняются, пока не освободится место.`,
  }),
  'member.invited': (p, company) => ({
    title: `Приглашение отправлено: ${p.title}`,
    body: `${p.title} приглашён(а) в ${company} с ролью ${p.role}.`,
  }),
  'member.joined': (p, company) => ({
    title: `Новый участник: ${p.title}`,
    body: `${p.title} присоединился(ась) к ${company} с ролью ${p.role}.`,
  }),
  'customer-upload.completed': (p) => ({
    title: `Видео клиента на проверку: ${p.title}`,
    body: `Клиент загрузил видео для «${p.title}». Оно появится после вашего одобрения на странице элемента.`,
  }),
};

export function notificationText(
  kind: NotificationKind,
  params: NotificationParams,
  language: Language,
  company: string,
): NotificationText {
  const texts = language === 'ru' ? ru : en;
  const p = { ...params, title: params.title ?? texts.untitled };
  return { ...texts[kind](p, company), action: texts.action };
}
