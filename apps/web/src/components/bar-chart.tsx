// A small SVG bar chart: the picture is for sighted readers, and the same numbers sit in a table for screen readers.
import { Text, useMantineTheme, VisuallyHidden } from '@mantine/core';
import { useId } from 'react';
import { useTranslation } from 'react-i18next';

export interface Bar {
  label: string;
  value: number;
}

/** The smallest 1, 2 or 5 × 10ⁿ at or above `max` (at least 1), so the axis reads in round numbers. */
export function niceMax(max: number): number {
  if (!(max > 0)) return 1;
  const power = 10 ** Math.floor(Math.log10(max));
  const step = [1, 2, 5, 10].find((s) => s * power >= max)!;
  return step * power;
}

export interface BarGeometry {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Bars in a `width`×`height` plot, evenly spaced, with a small gap; values below zero draw as zero. */
export function layoutBars(
  values: readonly number[],
  width: number,
  height: number,
  top = niceMax(Math.max(0, ...values)),
): BarGeometry[] {
  if (!values.length) return [];
  const slot = width / values.length;
  const gap = Math.min(slot * 0.2, 8);
  return values.map((v, i) => {
    const h = (Math.max(0, v) / top) * height;
    return {
      x: round(i * slot + gap / 2),
      y: round(height - h),
      width: round(Math.max(1, slot - gap)),
      height: round(h),
    };
  });
}

const round = (v: number) => Math.round(v * 100) / 100;

const W = 640;
const H = 180;
const LEFT = 44;
const BOTTOM = 22;

export function BarChart({
  title,
  bars,
  valueLabel,
  format = String,
  color = 'violet',
}: {
  title: string;
  bars: readonly Bar[];
  valueLabel: string;
  format?: (v: number) => string;
  color?: string;
}) {
  const { t } = useTranslation();
  const theme = useMantineTheme();
  const id = useId();
  const top = niceMax(Math.max(0, ...bars.map((b) => b.value)));
  const plotW = W - LEFT;
  const plotH = H - BOTTOM;
  const geometry = layoutBars(
    bars.map((b) => b.value),
    plotW,
    plotH,
    top,
  );
  // At most about eight x labels, so they never overlap.
  const every = Math.max(1, Math.ceil(bars.length / 8));
  const fill = theme.colors[color]?.[6] ?? color;

  return (
    <figure style={{ margin: 0 }} aria-labelledby={id} data-chart={title}>
      <Text component="figcaption" id={id} size="sm" fw={600} mb={4}>
        {title}
      </Text>
      <svg viewBox={`0 0 ${W} ${H}`} width="100%" aria-hidden="true" style={{ display: 'block', maxHeight: 220 }}>
        <line x1={LEFT} x2={W} y1={plotH} y2={plotH} stroke="currentColor" strokeOpacity={0.3} />
        <line x1={LEFT} x2={W} y1={0.5} y2={0.5} stroke="currentColor" strokeOpacity={0.1} />
        <text x={LEFT - 6} y={10} textAnchor="end" fontSize={11} fill="currentColor" opacity={0.7}>
          {format(top)}
        </text>
        <text x={LEFT - 6} y={plotH} textAnchor="end" fontSize={11} fill="currentColor" opacity={0.7}>
          {format(0)}
        </text>
        <g transform={`translate(${LEFT} 0)`}>
          {geometry.map((g, i) => (
            <rect key={i} x={g.x} y={g.y} width={g.width} height={g.height} rx={2} fill={fill}>
              <title>{t('analytics.bar', { label: bars[i]!.label, value: format(bars[i]!.value) })}</title>
            </rect>
          ))}
          {geometry.map((g, i) =>
            i % every === 0 ? (
              <text
                key={i}
                x={g.x + g.width / 2}
                y={H - 6}
                textAnchor="middle"
                fontSize={11}
                fill="currentColor"
                opacity={0.7}
              >
                {bars[i]!.label}
              </text>
            ) : null,
          )}
        </g>
      </svg>
      <VisuallyHidden>
        <table>
          <caption>{title}</caption>
          <thead>
            <tr>
              <th scope="col">{t('analytics.chartPeriod')}</th>
              <th scope="col">{valueLabel}</th>
            </tr>
          </thead>
          <tbody>
            {bars.map((b, i) => (
              <tr key={i}>
                <th scope="row">{b.label}</th>
                <td>{format(b.value)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </VisuallyHidden>
    </figure>
  );
}
