// @vitest-environment happy-dom
import { MantineProvider } from '@mantine/core';
import { cleanup, render } from '@testing-library/react';
import { createElement } from 'react';
import { I18nextProvider } from 'react-i18next';
import { afterEach, describe, expect, it } from 'vitest';
import { i18n } from '../i18n/dashboard.ts';
import { keypointRadius, placeKeypoints } from './keypoints.ts';
import { KeypointOverlay } from './marker-panel.tsx';
import { DetectionGauge } from './marker-report.tsx';

afterEach(cleanup);

describe('marker feature points over the image', () => {
  it('scales fractions of the image to its pixel space', () => {
    expect(
      placeKeypoints(
        [
          { x: 0.5, y: 0.25 },
          { x: 0, y: 1 },
          { x: 0.1234, y: 0.9876 },
        ],
        1024,
        768,
      ),
    ).toEqual([
      { cx: 512, cy: 192 },
      { cx: 0, cy: 768 },
      { cx: 126.36, cy: 758.48 },
    ]);
    // A portrait image: x follows the width, y the height.
    expect(placeKeypoints([{ x: 0.5, y: 0.5 }], 600, 900)).toEqual([{ cx: 300, cy: 450 }]);
  });

  it('keeps points on the image and drops malformed ones', () => {
    const bad = [{ x: 1.2, y: -0.1 }, { x: Number.NaN, y: 0.5 }, null as unknown as { x: number; y: number }];
    expect(placeKeypoints(bad, 100, 50)).toEqual([{ cx: 100, cy: 0 }]);
    expect(placeKeypoints([{ x: 0.5, y: 0.5 }], 0, 50)).toEqual([]);
    expect(placeKeypoints(undefined, 100, 50)).toEqual([]);
  });

  it('sizes the dots to the image', () => {
    expect(keypointRadius(1000, 600)).toBe(6);
    expect(keypointRadius(100, 80)).toBe(1.5);
  });

  it('draws one circle per point in an SVG whose viewBox is the image size', () => {
    const { container } = render(
      createElement(KeypointOverlay, {
        keypoints: [
          { x: 0.25, y: 0.5 },
          { x: 0.75, y: 0.1 },
        ],
        width: 800,
        height: 600,
      }),
    );
    const svg = container.querySelector('svg')!;
    expect(svg.getAttribute('viewBox')).toBe('0 0 800 600');
    expect(svg.getAttribute('aria-hidden')).toBe('true');
    const circles = [...svg.querySelectorAll('circle')].map((c) => [c.getAttribute('cx'), c.getAttribute('cy')]);
    expect(circles).toEqual([
      ['200', '300'],
      ['600', '60'],
    ]);
  });
});

describe('detection score gauge', () => {
  it('is a labelled meter with the measured score', async () => {
    await i18n.changeLanguage('en');
    const { getByRole } = render(
      createElement(
        I18nextProvider,
        { i18n },
        createElement(MantineProvider, null, createElement(DetectionGauge, { score: 72 })),
      ),
    );
    const meter = getByRole('meter', { name: 'Detection score' });
    expect(meter.getAttribute('aria-valuenow')).toBe('72');
    expect(meter.getAttribute('aria-valuetext')).toBe('72 of 100, measured');
    expect(meter.textContent).toContain('72');
  });
});
