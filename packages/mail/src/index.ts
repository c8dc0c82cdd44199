// Outgoing mail's templates: subject, text and HTML in the recipient's language. No transport here (that is
// `@arvlite/mail/transport`, which loads nodemailer), so the API and outbox consumers can render subjects cheaply.
export { escapeHtml, renderMail, renderSubject, type MailLinks, type RenderedMail } from './render.ts';
export { mail as mailEn } from './locales/en.ts';
export { mail as mailRu } from './locales/ru.ts';
