// Scans the QR code printed with a photo (expo-camera's barcode scanner) and opens what it points at.
import { CameraView, useCameraPermissions, type BarcodeScanningResult } from 'expo-camera';
import { useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { StyleSheet, View } from 'react-native';
import { useNavigation } from '../navigation.ts';
import { Body, Button, ErrorText, Loading, Screen } from '../ui/kit.tsx';
import { colors, space } from '../ui/theme.ts';
import { publicIdFrom } from '../viewer/public-id.ts';

export function ScanScreen() {
  const { t } = useTranslation(['mobile', 'common']);
  const nav = useNavigation();
  const [permission, requestPermission] = useCameraPermissions();
  const [unknown, setUnknown] = useState(false);
  const handled = useRef(false);

  const onScanned = (result: BarcodeScanningResult) => {
    if (handled.current) return;
    const id = publicIdFrom(result.data);
    if (!id) return setUnknown(true);
    handled.current = true;
    nav.replace({ name: 'viewer', publicId: id });
  };

  if (!permission) return <Loading label={t('scan.askingCamera')} />;
  if (!permission.granted) {
    return (
      <Screen title={t('scan.title')} onBack={nav.back}>
        <Body>{t('scan.cameraNeeded')}</Body>
        {permission.canAskAgain ? (
          <Button label={t('scan.allowCamera')} onPress={() => void requestPermission()} />
        ) : (
          <Body muted>{t('scan.cameraInSettings')}</Body>
        )}
      </Screen>
    );
  }
  return (
    <View style={{ flex: 1, backgroundColor: 'black' }}>
      <CameraView
        style={StyleSheet.absoluteFill}
        facing="back"
        barcodeScannerSettings={{ barcodeTypes: ['qr'] }}
        onBarcodeScanned={onScanned}
      />
      <View style={styles.overlay}>
        <View style={styles.frame} />
        <Body>{t('scan.pointAtCode')}</Body>
        {unknown ? <ErrorText>{t('scan.notOurCode')}</ErrorText> : null}
        <Button label={t('common:actions.cancel')} kind="secondary" onPress={nav.back} />
      </View>
    </View>
  );
}

const styles = StyleSheet.create({
  overlay: { flex: 1, alignItems: 'center', justifyContent: 'center', gap: space(2), padding: space(2) },
  frame: { width: 240, height: 240, borderWidth: 3, borderColor: colors.accent, borderRadius: 16 },
});
