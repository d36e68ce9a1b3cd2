import { describe, expect, it } from '@jest/globals';
import { encodeRqlValue, joinQuery, rql } from '../../src/connect/rql.ts';

describe('rql builder', () => {
  it('builds nested terms', () => {
    const q = rql.and(rql.eq('status', 'pending'), rql.in('asset.product.id', ['PRD-1', 'PRD-2']));
    expect(q).toBe('and(eq(status,pending),in(asset.product.id,(PRD-1,PRD-2)))');
  });
  it('encodes RQL syntax and + inside values', () => {
    expect(rql.ge('created', '2026-11-24T07:30:00.123+00:00')).toBe(
      'ge(created,2026-11-24T07%3A30%3A00.123%2B00%3A00)',
    );
    expect(encodeRqlValue('a,b(c)&d e')).toBe('a%2Cb%28c%29%26d%20e');
    expect(rql.eq('asset.external_id', null)).toBe('eq(asset.external_id,null())');
  });
  it('refuses field names that would inject syntax', () => {
    expect(() => rql.eq('status),or(eq(a', 'x')).toThrow(/invalid field name/);
  });
  it('a single term needs no and()', () => {
    expect(rql.and(rql.eq('a', 1))).toBe('eq(a,1)');
  });
  it('joins terms and plain pairs, dropping empty parts', () => {
    expect(joinQuery(rql.ordering('-created'), undefined, 'limit=10')).toBe('ordering(-created)&limit=10');
  });
});
