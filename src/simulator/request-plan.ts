import type { LowerBound } from './created-list.ts';
import type { RqlFilter } from './rql.ts';
import { parseInstant } from './timestamps.ts';

/**
 * What RequestIndex can answer of a requests filter by itself: a status, products and a lower bound on
 * `created`, each at most once, and-ed. The terms are read as query.ts reads them, so the index's
 * answer is the filter's exactly.
 */

export interface Plan {
  /** One status (`eq(status,X)`), or several (`in(status,(X,Y))`): the union of their lists. */
  statuses?: string[];
  products?: string[];
  after?: LowerBound;
}

const PRODUCT_FIELD = 'asset.product.id';

/** The plan, when every and-ed term of the filter is one the index answers; else undefined. */
export function planOf(filter: RqlFilter | undefined): Plan | undefined {
  const plan: Plan = {};
  for (const term of conjuncts(filter)) if (!addToPlan(plan, term)) return undefined;
  return plan;
}

/** The status every match must have: an `eq(status,X)` among the and-ed terms. */
export function requiredStatus(filter: RqlFilter | undefined): string | undefined {
  for (const term of conjuncts(filter))
    if (term.op === 'eq' && term.field === 'status' && term.value !== null) return term.value;
  return undefined;
}

function addToPlan(plan: Plan, term: RqlFilter): boolean {
  switch (term.op) {
    case 'eq':
      if (term.value === null) return false;
      if (term.field === 'status' && plan.statuses === undefined) plan.statuses = [term.value];
      else if (term.field === PRODUCT_FIELD && plan.products === undefined) plan.products = [term.value];
      else return false;
      return true;
    case 'in': {
      if (term.values.includes(null)) return false;
      const values = [...new Set(term.values as string[])];
      if (term.field === 'status' && plan.statuses === undefined) plan.statuses = values;
      else if (term.field === PRODUCT_FIELD && plan.products === undefined) plan.products = values;
      else return false;
      return true;
    }
    case 'ge':
    case 'gt': {
      // Only an instant compares with `created` as an instant (see query.ts); anything else as text.
      const ms = term.field === 'created' && term.value !== null ? parseInstant(term.value) : undefined;
      if (ms === undefined || plan.after !== undefined) return false;
      plan.after = { ms, inclusive: term.op === 'ge' };
      return true;
    }
    default:
      return false;
  }
}

/** The and-ed terms of a filter, nested ands flattened. */
function conjuncts(filter: RqlFilter | undefined): RqlFilter[] {
  if (filter === undefined) return [];
  return filter.op === 'and' ? filter.terms.flatMap(conjuncts) : [filter];
}
