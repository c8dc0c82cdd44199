// What every document shares: a pdfkit document with the embedded DejaVu Sans (Cyrillic), fixed metadata so the same
// input gives the same bytes, the documents' i18n, and millimetres.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Language } from '@arvlite/contract';
import { createI18n, type I18n } from '@arvlite/i18n';
import PDFDocument from 'pdfkit';
import { documents as documentsEn } from './locales/en.ts';
import { documents as documentsRu } from './locales/ru.ts';

export const FONT = 'DejaVuSans';
export const FONT_BOLD = 'DejaVuSans-Bold';

const fontDir = path.join(path.dirname(createRequire(import.meta.url).resolve('dejavu-fonts-ttf/package.json')), 'ttf');
let fonts: { regular: Buffer; bold: Buffer } | undefined;
function fontFiles() {
  fonts ??= {
    regular: readFileSync(path.join(fontDir, 'DejaVuSans.ttf')),
    bold: readFileSync(path.join(fontDir, 'DejaVuSans-Bold.ttf')),
  };
  return fonts;
}

/** Points per millimetre (1 pt = 1/72 in). */
export const PT_PER_MM = 72 / 25.4;
export const mm = (value: number): number => value * PT_PER_MM;

export interface DocumentMeta {
  title: string;
  /** The document's date: CreationDate, and with the title the file ID, so a re-render is byte for byte the same. */
  createdAt: Date;
  language: Language;
  /** PDF/A-2b adds the sRGB IEC61966-2.1 output intent (pdfkit ships the ICC profile) and requires embedded fonts. */
  pdfa?: boolean;
}

export function createDocument(meta: DocumentMeta): PDFKit.PDFDocument {
  const doc = new PDFDocument({
    autoFirstPage: false,
    bufferPages: true,
    compress: true,
    lang: meta.language,
    displayTitle: true,
    pdfVersion: '1.7',
    ...(meta.pdfa ? { subset: 'PDF/A-2b' as const } : {}),
    info: {
      Title: meta.title,
      Producer: 'ARVlite',
      Creator: 'ARVlite',
      CreationDate: meta.createdAt,
      ModDate: meta.createdAt,
    },
  });
  const { regular, bold } = fontFiles();
  doc.registerFont(FONT, regular);
  doc.registerFont(FONT_BOLD, bold);
  return doc;
}

/** Ends the document and collects its bytes. */
export function finish(doc: PDFKit.PDFDocument): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    doc.on('data', (chunk: Buffer) => chunks.push(chunk));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
    doc.end();
  });
}

const i18nByLanguage = new Map<Language, I18n>();
/** The `documents` texts in one language. */
export function textsFor(language: Language): I18n['t'] {
  let i18n = i18nByLanguage.get(language);
  if (!i18n) {
    i18n = createI18n({
      language,
      resources: { en: { documents: documentsEn }, ru: { documents: documentsRu } },
      defaultNS: 'documents',
    });
    i18nByLanguage.set(language, i18n);
  }
  return i18n.t.bind(i18n);
}

/** Refuses text no document should hold (NUL, a bound); documents are built from stored rows, so this is a guard. */
export function bounded(value: string, max: number, what: string): string {
  if (value.length > max) throw new RangeError(`${what} is longer than ${max} characters`);
  if (value.includes('\u0000')) throw new RangeError(`${what} holds a NUL character`);
  return value;
}
