import { maskApiKey } from '../secrets.ts';
import { readPath, SETTINGS, writePath } from './settings.ts';
import type { AppConfig, LoadedConfig } from './types.ts';

const SENSITIVE_KEYS = SETTINGS.filter((setting) => setting.sensitive).map((setting) => setting.key);

/**
 * The effective configuration as a plain (unfrozen) object for people to read, e.g. `check-config`:
 * sensitive values masked (`SU-1234-5678:****`, never the secret part), unset ones left null.
 */
export function describeConfig(loaded: LoadedConfig): AppConfig {
  const copy = structuredClone(loaded.config) as AppConfig;
  for (const key of SENSITIVE_KEYS) {
    const value = readPath(copy, key);
    if (typeof value === 'string') writePath(copy as never, key, maskApiKey(value));
  }
  return copy;
}

/** The configured secrets (the API key), for createLogger's `secrets` and maskSecrets. */
export function configSecrets(config: AppConfig): string[] {
  return SENSITIVE_KEYS.map((key) => readPath(config, key)).filter(
    (value): value is string => typeof value === 'string' && value !== '',
  );
}
