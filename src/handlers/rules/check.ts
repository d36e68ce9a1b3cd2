import { REQUEST_TYPES } from '../../connect/schemas.ts';
import type { ValueIssue } from '../../config/formats.ts';
import { PARAM_FORMATS } from './formats.ts';

const TIER_CONFIG_TYPES = ['setup', 'update'];
const RULE_KEYS = ['require', 'approve', 'fail'];
const REQUIREMENT_KEYS = ['param', 'format', 'pattern', 'oneOf', 'message', 'required'];

type Record_ = Record<string, unknown>;
const isObject = (value: unknown): value is Record_ =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const isText = (value: unknown): value is string => typeof value === 'string' && value.trim() !== '';

/** Checks a `rules` value; `at` is its key, e.g. `[1].rules`. Every problem is named by its key. */
export function checkRules(rules: unknown, at: string): ValueIssue[] {
  if (!isObject(rules)) {
    return [{ at, message: `must map request types (${REQUEST_TYPES.join(', ')}, tierConfig) to rules` }];
  }
  const issues: ValueIssue[] = [];
  for (const [key, rule] of Object.entries(rules)) {
    if (key === 'tierConfig') issues.push(...checkTierConfig(rule, `${at}.tierConfig`));
    else if ((REQUEST_TYPES as readonly string[]).includes(key))
      issues.push(...checkRule(rule, `${at}.${key}`));
    else
      issues.push({
        at: `${at}.${key}`,
        message: `unknown request type (one of ${REQUEST_TYPES.join(', ')}, tierConfig)`,
      });
  }
  if (Object.keys(rules).length === 0) issues.push({ at, message: 'has no rule for any request type' });
  return issues;
}

function checkTierConfig(value: unknown, at: string): ValueIssue[] {
  if (!isObject(value)) return [{ at, message: 'must map setup and/or update to rules' }];
  return Object.entries(value).flatMap(([key, rule]) =>
    TIER_CONFIG_TYPES.includes(key)
      ? checkRule(rule, `${at}.${key}`)
      : [{ at: `${at}.${key}`, message: 'unknown tier config request type (setup or update)' }],
  );
}

function checkRule(rule: unknown, at: string): ValueIssue[] {
  if (!isObject(rule)) return [{ at, message: 'must be an object with require and approve or fail' }];
  const issues = unknownKeys(rule, RULE_KEYS, at);
  const actions = ['approve', 'fail'].filter((key) => rule[key] !== undefined);
  if (actions.length !== 1) {
    issues.push({
      at,
      message: 'needs exactly one action: approve: { templateId } or { activationTile }, or fail: { reason }',
    });
  }
  if (rule.approve !== undefined) issues.push(...checkApprove(rule.approve, `${at}.approve`));
  if (rule.fail !== undefined) issues.push(...checkFail(rule.fail, `${at}.fail`));
  if (rule.require !== undefined) {
    if (!Array.isArray(rule.require))
      issues.push({ at: `${at}.require`, message: 'must be a list of { param, message, ... }' });
    else
      issues.push(
        ...rule.require.flatMap((item, index) => checkRequirement(item, `${at}.require[${index}]`)),
      );
  }
  return issues;
}

function checkApprove(value: unknown, at: string): ValueIssue[] {
  if (!isObject(value)) return [{ at, message: 'must be { templateId } or { activationTile }' }];
  const issues = unknownKeys(value, ['templateId', 'activationTile'], at);
  const given = ['templateId', 'activationTile'].filter((key) => value[key] !== undefined);
  if (given.length !== 1) issues.push({ at, message: 'needs exactly one of templateId or activationTile' });
  for (const key of given)
    if (!isText(value[key]))
      issues.push({ at: `${at}.${key}`, message: 'must be a non-empty string', value: value[key] });
  return issues;
}

function checkFail(value: unknown, at: string): ValueIssue[] {
  if (!isObject(value)) return [{ at, message: 'must be { reason }' }];
  const issues = unknownKeys(value, ['reason'], at);
  if (!isText(value.reason))
    issues.push({ at: `${at}.reason`, message: 'must be a non-empty string', value: value.reason });
  return issues;
}

function checkRequirement(item: unknown, at: string): ValueIssue[] {
  if (!isObject(item))
    return [{ at, message: 'must be { param, message, format?, pattern?, oneOf?, required? }' }];
  const issues = unknownKeys(item, REQUIREMENT_KEYS, at);
  if (!isText(item.param))
    issues.push({ at: `${at}.param`, message: 'must be a parameter id', value: item.param });
  if (!isText(item.message))
    issues.push({ at: `${at}.message`, message: 'must be the text the customer sees', value: item.message });
  if (item.format !== undefined && !PARAM_FORMATS.includes(item.format as never)) {
    issues.push({
      at: `${at}.format`,
      message: `unknown format (one of ${PARAM_FORMATS.join(', ')})`,
      value: item.format,
    });
  }
  if (item.pattern !== undefined) issues.push(...checkPattern(item.pattern, `${at}.pattern`));
  if (
    item.oneOf !== undefined &&
    (!Array.isArray(item.oneOf) || item.oneOf.length === 0 || !item.oneOf.every((v) => typeof v === 'string'))
  ) {
    issues.push({ at: `${at}.oneOf`, message: 'must be a non-empty list of strings', value: item.oneOf });
  }
  if (item.required !== undefined && typeof item.required !== 'boolean') {
    issues.push({ at: `${at}.required`, message: 'must be true or false', value: item.required });
  }
  return issues;
}

function checkPattern(pattern: unknown, at: string): ValueIssue[] {
  if (typeof pattern !== 'string')
    return [{ at, message: 'must be a regular expression as a string', value: pattern }];
  try {
    new RegExp(pattern);
    return [];
  } catch (err) {
    return [{ at, message: `is not a valid regular expression (${(err as Error).message})`, value: pattern }];
  }
}

function unknownKeys(record: Record_, known: readonly string[], at: string): ValueIssue[] {
  return Object.keys(record)
    .filter((key) => !known.includes(key))
    .map((key) => ({ at: `${at}.${key}`, message: `unknown key (one of ${known.join(', ')})` }));
}
