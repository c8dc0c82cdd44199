import config from '@arvlite/eslint-config';

export default config;
