import { maskApiKey } from '../secrets.ts';
import { readPath, SETTINGS, writePath } from './settings.ts';
import type { AppConfig, LoadedConfig } from './types.ts';

const SENSITIVE_KEYS = SETTINGS.filter((setting) => setting.sensitive).map((setting) => setting.key);

/**
 * The effective configuration as a plain (unfrozen) object for people to read, e.g. `check-config`:
 * sensitive values masked (`SU-1234-5678:****`, never the secret part), unset ones left null.
 */
export function describeConfig(loaded: Pick<LoadedConfig, 'config'>): AppConfig {
  const copy = structuredClone(loaded.config) as AppConfig;
  for (const key of SENSITIVE_KEYS) {
    const value = readPath(copy, key);
    if (typeof value === 'string') writePath(copy as never, key, maskApiKey(value));
  }
  for (const entry of copy.handlers) if (entry.webhook) (entry.webhook as { secret: string }).secret = '****';
  return copy;
}

/** The configured secrets (the API key, webhook secrets), for createLogger's `secrets` and maskSecrets. */
export function configSecrets(config: AppConfig): string[] {
  return [
    ...SENSITIVE_KEYS.map((key) => readPath(config, key)),
    statePassword(config.state.url),
    ...config.handlers.map((entry) => entry.webhook?.secret),
  ].filter((value): value is string => typeof value === 'string' && value !== '');
}

/** The password in state.url, masked in every log line like the API key. */
function statePassword(url: string): string | undefined {
  try {
    return decodeURIComponent(new URL(url).password) || undefined;
  } catch {
    return undefined;
  }
}
