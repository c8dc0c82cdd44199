// The few building blocks the screens share: screen frame, heading, button, text field, progress bar, status badge.
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import {
  ActivityIndicator,
  Platform,
  Pressable,
  ScrollView,
  StyleSheet,
  Text,
  TextInput,
  View,
  type TextInputProps,
} from 'react-native';
import { tDynamic } from '../i18n/index.ts';
import { colors, space } from './theme.ts';

export function Screen({
  children,
  scroll = true,
  onBack,
  title,
}: {
  children: ReactNode;
  scroll?: boolean;
  onBack?: () => void;
  title?: string;
}) {
  const { t } = useTranslation();
  const body = (
    <>
      {onBack || title ? (
        <View style={styles.topBar}>
          {onBack ? <Button label={t('ui.back')} kind="link" onPress={onBack} /> : null}
          {title ? (
            <Text role="heading" aria-level={1} style={styles.title} numberOfLines={2}>
              {title}
            </Text>
          ) : null}
        </View>
      ) : null}
      {children}
    </>
  );
  return scroll ? (
    <ScrollView style={styles.screen} contentContainerStyle={styles.content}>
      {body}
    </ScrollView>
  ) : (
    <View style={[styles.screen, styles.content, { flex: 1 }]}>{body}</View>
  );
}

export function Heading({ children, level = 2 }: { children: ReactNode; level?: 1 | 2 | 3 }) {
  return (
    <Text role="heading" aria-level={level} style={level === 1 ? styles.title : styles.heading}>
      {children}
    </Text>
  );
}

export function Body({ children, muted, testID }: { children: ReactNode; muted?: boolean; testID?: string }) {
  return (
    <Text style={[styles.body, muted && { color: colors.muted }]} testID={testID}>
      {children}
    </Text>
  );
}

export function Button({
  label,
  onPress,
  kind = 'primary',
  disabled,
  busy,
}: {
  label: string;
  onPress: () => void;
  kind?: 'primary' | 'secondary' | 'link' | 'danger';
  disabled?: boolean;
  busy?: boolean;
}) {
  const off = disabled || busy;
  return (
    <Pressable
      role="button"
      aria-disabled={off}
      disabled={off}
      onPress={onPress}
      style={({ pressed }) => [styles.button, styles[kind], off && { opacity: 0.5 }, pressed && { opacity: 0.8 }]}
    >
      {busy ? (
        <ActivityIndicator color={colors.accentText} />
      ) : (
        <Text style={[styles.buttonText, kind === 'link' && { color: colors.accent }]}>{label}</Text>
      )}
    </Pressable>
  );
}

export function Field({ label, error, ...input }: { label: string; error?: string | null } & TextInputProps) {
  return (
    <View style={{ gap: space(0.5) }}>
      <Text style={styles.label}>{label}</Text>
      <TextInput
        aria-label={label}
        placeholderTextColor={colors.muted}
        style={[styles.input, error ? { borderColor: colors.danger } : null]}
        autoCapitalize="none"
        autoCorrect={false}
        {...input}
      />
      {error ? <Text style={styles.error}>{error}</Text> : null}
    </View>
  );
}

export function ErrorText({ children }: { children: ReactNode }) {
  return (
    <Text role="alert" style={styles.error}>
      {children}
    </Text>
  );
}

export function ProgressBar({ value, label }: { value: number; label: string }) {
  const pct = Math.max(0, Math.min(100, Math.round(value * 100)));
  return (
    <View
      role="progressbar"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={pct}
      style={styles.track}
    >
      <View style={[styles.fill, { width: `${pct}%` }]} />
    </View>
  );
}

const STATUS_COLORS: Record<string, string> = {
  READY: colors.success,
  FAILED: colors.danger,
  ARCHIVED: colors.muted,
  DRAFT: colors.muted,
};

export function StatusBadge({ status, label }: { status: string; label?: string }) {
  const { t } = useTranslation();
  const c = STATUS_COLORS[status] ?? colors.warning;
  const text = label ?? tDynamic(t, `status.${status}`, { defaultValue: status.replaceAll('_', ' ').toLowerCase() });
  return (
    <View style={[styles.badge, { borderColor: c }]} testID={`status-${status}`}>
      <Text style={[styles.badgeText, { color: c }]}>{text}</Text>
    </View>
  );
}

export function Row({
  children,
  onPress,
  label,
  testID,
}: {
  children: ReactNode;
  onPress?: () => void;
  label?: string;
  testID?: string;
}) {
  return onPress ? (
    <Pressable
      role="button"
      aria-label={label}
      onPress={onPress}
      testID={testID}
      style={({ pressed }) => [styles.row, pressed && { opacity: 0.8 }]}
    >
      {children}
    </Pressable>
  ) : (
    <View style={styles.row} testID={testID}>
      {children}
    </View>
  );
}

export function Loading({ label }: { label?: string }) {
  const { t } = useTranslation();
  return (
    <View style={{ padding: space(4), alignItems: 'center', gap: space(1) }}>
      <ActivityIndicator color={colors.accent} />
      <Text style={{ color: colors.muted }}>{label ?? t('ui.loading')}</Text>
    </View>
  );
}

const styles = StyleSheet.create({
  screen: { flex: 1, backgroundColor: colors.background },
  content: {
    padding: space(2),
    paddingTop: Platform.OS === 'web' ? space(2) : space(6),
    gap: space(2),
    maxWidth: 720,
    width: '100%',
    alignSelf: 'center',
  },
  topBar: { gap: space(1) },
  title: { color: colors.text, fontSize: 26, fontWeight: '700' },
  heading: { color: colors.text, fontSize: 19, fontWeight: '600', marginTop: space(1) },
  body: { color: colors.text, fontSize: 16, lineHeight: 22 },
  label: { color: colors.muted, fontSize: 14 },
  input: {
    borderWidth: 1,
    borderColor: colors.border,
    backgroundColor: colors.surface,
    color: colors.text,
    borderRadius: 8,
    paddingHorizontal: space(1.5),
    paddingVertical: space(1.25),
    fontSize: 16,
  },
  error: { color: colors.danger, fontSize: 14 },
  button: {
    borderRadius: 10,
    paddingVertical: space(1.5),
    paddingHorizontal: space(2),
    alignItems: 'center',
    justifyContent: 'center',
  },
  primary: { backgroundColor: colors.accent },
  secondary: { backgroundColor: colors.surface, borderWidth: 1, borderColor: colors.border },
  danger: { backgroundColor: colors.danger },
  link: { backgroundColor: 'transparent', alignSelf: 'flex-start', paddingHorizontal: 0, paddingVertical: space(0.5) },
  buttonText: { color: colors.accentText, fontSize: 16, fontWeight: '600' },
  track: { height: 8, borderRadius: 4, backgroundColor: colors.border, overflow: 'hidden' },
  fill: { height: 8, backgroundColor: colors.accent },
  badge: {
    borderWidth: 1,
    borderRadius: 999,
    paddingHorizontal: space(1),
    paddingVertical: 2,
    alignSelf: 'flex-start',
  },
  badgeText: { fontSize: 12, fontWeight: '600' },
  row: {
    backgroundColor: colors.surface,
    borderRadius: 10,
    padding: space(1.5),
    gap: space(0.5),
    borderWidth: 1,
    borderColor: colors.border,
  },
});
