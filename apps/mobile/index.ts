// Entry point: registers the root component for native and web.
import { registerRootComponent } from 'expo';
import { App } from './src/app.tsx';

registerRootComponent(App);
