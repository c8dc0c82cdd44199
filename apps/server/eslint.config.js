import { serverConfig as config } from '@arvlite/eslint-config';

export default config;
