// Every reason a marker can be refused with (MARKER_FAILURE_CODES in the contract) has its own title and advice in the
// dashboard, in English and Russian: a new reason cannot reach the operator as "Marker refused (CODE)".
import { MARKER_FAILURE_CODES } from '@arvlite/client';
import { describe, expect, it } from 'vitest';
import { dashboardCatalogs } from '../i18n/dashboard.ts';

describe('marker failure reasons', () => {
  for (const language of ['en', 'ru'] as const) {
    it(`each has a title and advice in ${language}`, () => {
      const { failure, failureText } = dashboardCatalogs[language].marker as {
        failure: Record<string, string>;
        failureText: Record<string, string>;
      };
      const missing = MARKER_FAILURE_CODES.filter((code) => !failure[code] || !failureText[code]);
      expect(missing).toEqual([]);
    });
  }
});
