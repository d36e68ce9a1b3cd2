import { invalid, wrongStatus } from './errors.ts';
import type { ConnectRequest, Param } from './model.ts';
import { TERMINAL_STATUSES, asBodyObject } from './transitions.ts';

/**
 * PUT /requests/{id}: only `asset.params[].value`, `structured_value` and `value_error`, and a
 * top-level `note`, may change. Other fields may be sent back as they are (clients often echo the
 * object) but not changed. The whole body is checked before anything is applied.
 */

const CHANGEABLE_PARAM_FIELDS = ['value', 'structured_value', 'value_error'] as const;
interface ParamChange {
  param: Param;
  value?: string | null;
  value_error?: string | null;
  /** null removes it. */
  structured_value?: Record<string, unknown> | null;
}

export function updateRequest(request: ConnectRequest, body: unknown): void {
  if (TERMINAL_STATUSES.has(request.status)) {
    throw wrongStatus(`Request ${request.id} is ${request.status}: it can no longer be changed.`);
  }
  const update = asBodyObject(body);
  rejectChanges(update, request as unknown as Record<string, unknown>, ['asset', 'note'], '');
  const note = update.note === undefined ? undefined : nullableString(update.note, 'note');
  const changes = update.asset === undefined ? [] : paramChanges(request, update.asset);

  if (note !== undefined) request.note = note;
  for (const { param, value, value_error, structured_value } of changes) {
    if (value !== undefined) param.value = value;
    if (value_error !== undefined) param.value_error = value_error;
    if (structured_value === null) delete param.structured_value;
    else if (structured_value !== undefined) param.structured_value = structured_value;
  }
}

function paramChanges(request: ConnectRequest, asset: unknown): ParamChange[] {
  if (typeof asset !== 'object' || asset === null || Array.isArray(asset))
    throw invalid('asset must be an object.');
  const assetUpdate = asset as Record<string, unknown>;
  rejectChanges(assetUpdate, request.asset as unknown as Record<string, unknown>, ['params'], 'asset.');
  if (assetUpdate.params === undefined) return [];
  if (!Array.isArray(assetUpdate.params)) throw invalid('asset.params must be an array.');
  return assetUpdate.params.map((entry: unknown, index) => {
    if (typeof entry !== 'object' || entry === null || typeof (entry as { id?: unknown }).id !== 'string') {
      throw invalid(`asset.params[${index}] must be an object with a string id.`);
    }
    const fieldsIn = entry as Record<string, unknown> & { id: string };
    const param = request.asset.params.find((p) => p.id === fieldsIn.id);
    if (!param) throw invalid(`Parameter ${fieldsIn.id} does not exist on request ${request.id}.`);
    rejectChanges(
      fieldsIn,
      param as unknown as Record<string, unknown>,
      ['id', ...CHANGEABLE_PARAM_FIELDS],
      `asset.params[${fieldsIn.id}].`,
    );
    const change: ParamChange = { param };
    if (fieldsIn.value !== undefined)
      change.value = nullableString(fieldsIn.value, `asset.params[${param.id}].value`);
    if (fieldsIn.value_error !== undefined)
      change.value_error = nullableString(fieldsIn.value_error, `asset.params[${param.id}].value_error`);
    if (fieldsIn.structured_value !== undefined)
      change.structured_value = structured(fieldsIn.structured_value, param.id);
    return change;
  });
}

/** Fields outside `allowed` may be echoed unchanged; a different value is refused, naming the field. */
function rejectChanges(
  update: Record<string, unknown>,
  current: Record<string, unknown>,
  allowed: readonly string[],
  prefix: string,
): void {
  for (const [field, value] of Object.entries(update)) {
    if (allowed.includes(field)) continue;
    if (!sameJson(value, current[field]))
      throw invalid(
        `${prefix}${field} cannot be changed: only asset.params[].value, structured_value, value_error and note can.`,
      );
  }
}

function nullableString(value: unknown, field: string): string | null {
  if (value === null || typeof value === 'string') return value;
  throw invalid(`${field} must be a string or null.`);
}

function structured(value: unknown, paramId: string): Record<string, unknown> | null {
  if (value === null || (typeof value === 'object' && !Array.isArray(value)))
    return value as Record<string, unknown> | null;
  throw invalid(`asset.params[${paramId}].structured_value must be an object or null.`);
}

export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const keysA = Object.keys(a);
  const keysB = Object.keys(b);
  if (keysA.length !== keysB.length) return false;
  return keysA.every((key) =>
    sameJson((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key]),
  );
}
