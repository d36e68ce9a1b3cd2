import { describe, expect, it } from '@jest/globals';
import { checkSchedule, scheduleWarning } from '../../src/config/schedule.ts';

describe('checkSchedule', () => {
  it.each(['0 */3 * * * *', '*/3 * * * *', '30 */2 * * * *', '@hourly'])('accepts %j', (schedule) => {
    expect(checkSchedule(schedule)).toEqual([]);
  });

  it.each([
    ['every 3 minutes', /cron says/],
    ['* * * * * * *', /Too many fields/],
    ['', /Too few fields/],
    [42, /must be a cron expression/],
    ['0 0 31 2 *', /never fires/],
  ])('rejects %j', (schedule, message) => {
    expect(checkSchedule(schedule)).toEqual([{ message: expect.stringMatching(message), value: schedule }]);
  });
});

describe('scheduleWarning', () => {
  it.each(['0 */3 * * * *', '*/3 * * * *', '0 */2 * * * *', '0 */5 * * * *'])(
    'is quiet for %j',
    (schedule) => {
      expect(scheduleWarning(schedule)).toBeUndefined();
    },
  );

  it.each([
    ['*/10 * * * * *', 'fires every 10 s, which polls Connect more often than needed'],
    ['* * * * *', 'fires every 1 min, which polls Connect more often than needed'],
    ['0 */10 * * * *', 'fires every 10 min, which delays fulfillment'],
    ['@hourly', 'fires every 1 h, which delays fulfillment'],
    ['0 0,30 * * * *', 'fires every 30 min'],
    ['0 0,1 * * * *', 'fires at intervals from 1 min to 59 min'],
  ])('warns about %j', (schedule, text) => {
    expect(scheduleWarning(schedule)).toContain(text);
  });
});
