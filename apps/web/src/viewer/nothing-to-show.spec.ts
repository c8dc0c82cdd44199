// @vitest-environment happy-dom
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { createElement } from 'react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { NothingToShow } from './nothing-to-show.tsx';
import { REASONS } from './reasons.ts';

afterEach(cleanup);

describe('NothingToShow', () => {
  it('shows the headline as the page heading, with focus on it so it is read first, and what to do', () => {
    render(createElement(NothingToShow, { explanation: REASONS.EXPIRED, onRetry: () => undefined }));
    const heading = screen.getByRole('heading', { level: 1, name: 'This video has expired' });
    expect(document.activeElement).toBe(heading);
    expect(screen.getByRole('region', { name: 'This video has expired' })).toBeTruthy();
    expect(screen.getByText(REASONS.EXPIRED.action)).toBeTruthy();
    expect(screen.queryByRole('button')).toBeNull();
  });

  it('offers to try again where that can help', () => {
    const onRetry = vi.fn();
    render(createElement(NothingToShow, { explanation: REASONS.MARKER_PROCESSING, onRetry }));
    fireEvent.click(screen.getByRole('button', { name: 'Try again' }));
    expect(onRetry).toHaveBeenCalledTimes(1);
  });
});
