// @vitest-environment happy-dom
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { createElement, type ReactNode } from 'react';
import { I18nextProvider } from 'react-i18next';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { NothingToShow } from './nothing-to-show.tsx';
import { viewerCatalogs, viewerI18n } from '../i18n/viewer.ts';
import { REASONS } from './reasons.ts';

const inViewer = (node: ReactNode) => createElement(I18nextProvider, { i18n: viewerI18n }, node);

afterEach(cleanup);

describe('NothingToShow', () => {
  it('shows the headline as the page heading, with focus on it so it is read first, and what to do', async () => {
    await viewerI18n.changeLanguage('en');
    render(inViewer(createElement(NothingToShow, { explanation: REASONS.EXPIRED, onRetry: () => undefined })));
    const heading = screen.getByRole('heading', { level: 1, name: 'This video has expired' });
    expect(document.activeElement).toBe(heading);
    expect(screen.getByRole('region', { name: 'This video has expired' })).toBeTruthy();
    expect(screen.getByText(viewerCatalogs.en.reasons.EXPIRED.action)).toBeTruthy();
    expect(screen.queryByRole('button')).toBeNull();
  });

  it('offers to try again where that can help', async () => {
    await viewerI18n.changeLanguage('en');
    const onRetry = vi.fn();
    render(inViewer(createElement(NothingToShow, { explanation: REASONS.MARKER_PROCESSING, onRetry })));
    fireEvent.click(screen.getByRole('button', { name: 'Try again' }));
    expect(onRetry).toHaveBeenCalledTimes(1);
  });

  it('speaks Russian when the page does', async () => {
    await viewerI18n.changeLanguage('ru');
    render(inViewer(createElement(NothingToShow, { explanation: REASONS.EXPIRED, onRetry: () => undefined })));
    expect(screen.getByRole('heading', { level: 1, name: 'Срок показа видео истёк' })).toBeTruthy();
    await viewerI18n.changeLanguage('en');
  });
});
