import { registerHooks } from 'node:module';

export const PACKAGE_NAME = 'connect-fulfillment';

/**
 * Makes `import { defineHandler, approve } from 'connect-fulfillment'` work in a handler module that
 * lives anywhere — the image's /handlers folder, a vendor's own repository — not only under this
 * package's node_modules, where Node's resolution would look for it. The bare name resolves to this
 * very package's entry (the same module instances the daemon runs), from src/ and dist/ alike.
 * Other names resolve as usual: a handler's own dependencies come from its own node_modules.
 */
export function resolvePackageNameToSelf(): void {
  const entry = new URL(import.meta.url.endsWith('.ts') ? './index.ts' : './index.js', import.meta.url).href;
  registerHooks({
    resolve(specifier, context, nextResolve) {
      if (specifier === PACKAGE_NAME) return { url: entry, shortCircuit: true };
      return nextResolve(specifier, context);
    },
  });
}
