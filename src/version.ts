import { createRequire } from 'node:module';

// package.json sits one level above both src/ and dist/, so the same relative path works in both.
const pkg = createRequire(import.meta.url)('../package.json') as { name: string; version: string };

export const PRODUCT_NAME: string = pkg.name;
export const VERSION: string = pkg.version;
export const USER_AGENT = `${PRODUCT_NAME}/${VERSION} (node ${process.version})`;
