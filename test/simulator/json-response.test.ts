import { describe, expect, it } from '@jest/globals';
import { HttpResponse } from 'msw';
import { JsonResponse, jsonResponse } from '../../src/simulator/json-response.ts';

describe('jsonResponse', () => {
  const value = { id: 'PR-1', note: 'Grüße, 東京' }; // multi-byte: Content-Length counts bytes

  it('answers what HttpResponse.json answers: status, headers and body', async () => {
    const ours = jsonResponse(value, { status: 201, headers: { 'Content-Range': 'items 0-0/1' } });
    const msws = HttpResponse.json(value, { status: 201, headers: { 'Content-Range': 'items 0-0/1' } });
    expect(ours.status).toBe(msws.status);
    expect([...ours.headers]).toEqual([...msws.headers]);
    expect(await ours.text()).toBe(await msws.text());
  });

  it('hands the bridge its text while the body is unread, and reads like any Response', async () => {
    const response = jsonResponse(value);
    expect(response).toBeInstanceOf(JsonResponse);
    expect(response.unreadText).toBe(JSON.stringify(value));
    expect(await response.clone().json()).toEqual(value);
    expect(await response.json()).toEqual(value);
    expect(response.unreadText).toBeUndefined(); // the body is someone else's now
  });
});
