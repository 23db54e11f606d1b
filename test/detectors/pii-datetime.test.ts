import { describe, expect, it } from 'vitest';
import { found } from './pii-test-support.js';

describe('DATE_TIME', () => {
  it('finds ISO dates and timestamps', () => {
    expect(found('created 2006-04-07 09:00:27 UTC', 'DATE_TIME')).toEqual(['2006-04-07 09:00:27']);
    expect(found('at 2021-12-31T23:59:59Z', 'DATE_TIME')).toEqual(['2021-12-31T23:59:59Z']);
  });
  it('finds numeric and month-name dates', () => {
    expect(found('born 2/8/1935 in Ohio', 'DATE_TIME')).toEqual(['2/8/1935']);
    expect(found('on 07.04.2006', 'DATE_TIME')).toEqual(['07.04.2006']);
    expect(found('signed March 5, 2020', 'DATE_TIME')).toEqual(['March 5, 2020']);
    expect(found('from 5th of March 2020', 'DATE_TIME')).toEqual(['5th of March 2020']);
    expect(found('due Dec 2024', 'DATE_TIME')).toEqual(['Dec 2024']);
  });
  it('finds clock times with am/pm; a bare "14:05" needs context', () => {
    expect(found('meet at 9:30 pm', 'DATE_TIME')).toEqual(['9:30 pm']);
    expect(found('the appointment time is 14:05', 'DATE_TIME')).toEqual(['14:05']);
    expect(found('Genesis 2:19 says', 'DATE_TIME')).toEqual([]);
  });
  it('rejects impossible dates and times', () => {
    for (const text of ['on 2021-13-01', 'on 2021-02-30', 'born 13/13/2020', 'March 45, 2020', 'at 25:61', 'v1.2.2020']) {
      expect(found(text, 'DATE_TIME'), text).toEqual([]);
    }
    // "13:00 pm" is not a 12-hour time; only the 24-hour reading "13:00" remains.
    expect(found('at 13:00 pm', 'DATE_TIME')).toEqual(['13:00']);
  });
  it('does not report bare years or weekday names', () => {
    expect(found('In 1977 on a Tuesday', 'DATE_TIME')).toEqual([]);
  });
});
