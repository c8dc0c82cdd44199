// Scans the QR code printed with a photo (expo-camera's barcode scanner) and opens what it points at.
import { CameraView, useCameraPermissions, type BarcodeScanningResult } from 'expo-camera';
import { useRef, useState } from 'react';
import { StyleSheet, View } from 'react-native';
import { useNavigation } from '../navigation.ts';
import { Body, Button, ErrorText, Loading, Screen } from '../ui/kit.tsx';
import { colors, space } from '../ui/theme.ts';
import { publicIdFrom } from '../viewer/public-id.ts';

export function ScanScreen() {
  const nav = useNavigation();
  const [permission, requestPermission] = useCameraPermissions();
  const [unknown, setUnknown] = useState<string | null>(null);
  const handled = useRef(false);

  const onScanned = (result: BarcodeScanningResult) => {
    if (handled.current) return;
    const id = publicIdFrom(result.data);
    if (!id) return setUnknown('This QR code is not an ARVlite code.');
    handled.current = true;
    nav.replace({ name: 'viewer', publicId: id });
  };

  if (!permission) return <Loading label="Asking for the camera" />;
  if (!permission.granted) {
    return (
      <Screen title="Scan a code" onBack={nav.back}>
        <Body>The camera is needed to read the QR code next to your photo.</Body>
        {permission.canAskAgain ? (
          <Button label="Allow the camera" onPress={() => void requestPermission()} />
        ) : (
          <Body muted>Allow camera access for ARVlite in your device settings.</Body>
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
        <Body>Point the camera at the QR code.</Body>
        {unknown ? <ErrorText>{unknown}</ErrorText> : null}
        <Button label="Cancel" kind="secondary" onPress={nav.back} />
      </View>
    </View>
  );
}

const styles = StyleSheet.create({
  overlay: { flex: 1, alignItems: 'center', justifyContent: 'center', gap: space(2), padding: space(2) },
  frame: { width: 240, height: 240, borderWidth: 3, borderColor: colors.accent, borderRadius: 16 },
});
