import type { ParamFormat } from './types.ts';

/** Deliberately simple shapes: a rules handler catches typos, the vendor's system has the final word. */
const CHECKS: Record<ParamFormat, (value: string) => boolean> = {
  email: (value) => /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(value),
  domain: (value) => /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i.test(value),
  url: (value) => {
    const url = URL.parse(value);
    return url !== null && (url.protocol === 'https:' || url.protocol === 'http:') && url.hostname !== '';
  },
  number: (value) => value.trim() !== '' && Number.isFinite(Number(value)),
};

export const PARAM_FORMATS = Object.keys(CHECKS) as ParamFormat[];

export function matchesFormat(format: ParamFormat, value: string): boolean {
  return CHECKS[format](value);
}
