// The language picker: each language under its own name (English, Русский), the current one highlighted.
import { LANGUAGES } from '@arvlite/contract';
import { useTranslation } from 'react-i18next';
import { Pressable, StyleSheet, Text, View } from 'react-native';
import { useLanguage } from '../i18n/language-provider.tsx';
import { colors, space } from './theme.ts';

export function LanguageSwitch() {
  const { t } = useTranslation(['mobile', 'common']);
  const { language, choose } = useLanguage();
  return (
    <View role="radiogroup" aria-label={t('common:language.label')} style={styles.row}>
      {LANGUAGES.map((lng) => {
        const current = lng === language;
        return (
          <Pressable
            key={lng}
            role="radio"
            aria-checked={current}
            onPress={() => choose(lng)}
            style={({ pressed }) => [styles.option, current && styles.current, pressed && { opacity: 0.8 }]}
          >
            <Text style={[styles.text, current && { color: colors.accentText }]}>{t(`common:language.${lng}`)}</Text>
          </Pressable>
        );
      })}
    </View>
  );
}

const styles = StyleSheet.create({
  row: { flexDirection: 'row', gap: space(1), alignSelf: 'flex-start' },
  option: {
    borderRadius: 999,
    borderWidth: 1,
    borderColor: colors.border,
    paddingHorizontal: space(1.5),
    paddingVertical: space(0.5),
  },
  current: { backgroundColor: colors.accent, borderColor: colors.accent },
  text: { color: colors.text, fontSize: 14, fontWeight: '600' },
});
