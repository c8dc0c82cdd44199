import { apiConfig as config } from '@arvlite/eslint-config';

export default config;
