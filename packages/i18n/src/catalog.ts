// Catalog checks the tests run: every key of one language exists in the other (plural forms per language's rules).
import type { Language } from '@arvlite/contract';

const PLURAL_SUFFIX = /_(zero|one|two|few|many|other)$/;

/** Every leaf key, dotted; plural forms collapse to their base key. */
export function catalogKeys(catalog: object, prefix = ''): Set<string> {
  const keys = new Set<string>();
  for (const [k, v] of Object.entries(catalog)) {
    const path = prefix ? `${prefix}.${k}` : k;
    if (v && typeof v === 'object') for (const sub of catalogKeys(v, path)) keys.add(sub);
    else keys.add(path.replace(PLURAL_SUFFIX, ''));
  }
  return keys;
}

/** Plural forms each language needs (Intl.PluralRules' categories for integers). */
export function pluralForms(lng: Language): string[] {
  return new Intl.PluralRules(lng).resolvedOptions().pluralCategories.filter((c) => c !== 'zero' || lng !== 'en');
}

/**
 * Problems between two catalogs of one namespace: keys missing on either side, and plural keys lacking a form the
 * language needs (Russian needs one/few/many/other).
 */
export function missingKeys(catalogs: Record<Language, object>): string[] {
  const problems: string[] = [];
  const langs = Object.keys(catalogs) as Language[];
  const keys = Object.fromEntries(langs.map((l) => [l, catalogKeys(catalogs[l])])) as Record<Language, Set<string>>;
  for (const a of langs) {
    for (const b of langs) {
      if (a === b) continue;
      for (const k of keys[a]) if (!keys[b].has(k)) problems.push(`${b}: missing ${k}`);
    }
  }
  for (const lng of langs) {
    const leaves = flatten(catalogs[lng]);
    const bases = new Set(
      [...leaves.keys()].filter((k) => PLURAL_SUFFIX.test(k)).map((k) => k.replace(PLURAL_SUFFIX, '')),
    );
    for (const base of bases) {
      for (const form of pluralForms(lng)) {
        if (!leaves.has(`${base}_${form}`)) problems.push(`${lng}: missing plural form ${base}_${form}`);
      }
    }
  }
  return problems;
}

function flatten(catalog: object, prefix = '', out = new Map<string, unknown>()): Map<string, unknown> {
  for (const [k, v] of Object.entries(catalog)) {
    const path = prefix ? `${prefix}.${k}` : k;
    if (v && typeof v === 'object') flatten(v, path, out);
    else out.set(path, v);
  }
  return out;
}
