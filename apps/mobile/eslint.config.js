import { appConfig as config } from '@arvlite/eslint-config';

export default [...config, { ignores: ['.expo/**', 'android/**', 'ios/**'] }];
