import { describe, expect, test } from 'vitest';
import { maskExchanges } from './mask.ts';
import type { Exchange } from '../types.ts';

const ID_A = 'Xk3n9Q2mZp0aB7cD8eF1gH4iJ5kL6mN7';
const ID_B = 'aa11bb22cc33dd44ee55ff66gg77hh88';

function exchange(partial: Partial<Exchange>): Exchange {
  return { method: 'GET', path: '/', status: 200, setCookie: [], body: '', ...partial };
}

describe('masking transcripts', () => {
  test('session IDs become numbered placeholders, consistent within a test; signatures become <sig>', () => {
    const masked = maskExchanges([
      exchange({
        method: 'POST',
        path: '/login',
        setCookie: [`connect.sid=s%3A${ID_A}.uvWwX3aDXmIqouB0MzYGu6Uhsxm%2BjH9fftzDkB9M2hs; Path=/; HttpOnly`],
      }),
      exchange({ path: '/profile', cookie: `connect.sid=s%3A${ID_A}.uvWwX3aDXmIqouB0MzYGu6Uhsxm%2BjH9fftzDkB9M2hs` }),
      exchange({
        method: 'POST',
        path: '/login',
        cookie: `connect.sid=s%3A${ID_A}.sig`,
        setCookie: [`connect.sid=s%3A${ID_B}.other%2Fsig%3D; Path=/`],
      }),
    ]);
    expect(masked[0]?.setCookie).toEqual(['connect.sid=s%3A<session-id-1>.<sig>; Path=/; HttpOnly']);
    expect(masked[1]?.cookie).toBe('connect.sid=s%3A<session-id-1>.<sig>');
    expect(masked[2]?.cookie).toBe('connect.sid=s%3A<session-id-1>.<sig>');
    expect(masked[2]?.setCookie).toEqual(['connect.sid=s%3A<session-id-2>.<sig>; Path=/']);
  });

  test('numbering restarts for every test, so the page is the same from run to run', () => {
    const run1 = maskExchanges([exchange({ setCookie: [`connect.sid=s%3A${ID_A}.abc; Path=/`] })]);
    const run2 = maskExchanges([exchange({ setCookie: [`connect.sid=s%3A${ID_B}.xyz; Path=/`] })]);
    expect(run1).toEqual(run2);
  });

  test('dates become <date>, except the epoch a cleared cookie uses', () => {
    const [masked] = maskExchanges([
      exchange({
        setCookie: ['a=1; Expires=Wed, 27 Nov 2024 09:30:00 GMT', 'b=; Expires=Thu, 01 Jan 1970 00:00:00 GMT'],
        body: '{"at":"2024-11-27T09:30:00.123Z","t":1732699800123}',
      }),
    ]);
    expect(masked?.setCookie).toEqual(['a=1; Expires=<date>', 'b=; Expires=Thu, 01 Jan 1970 00:00:00 GMT']);
    expect(masked?.body).toBe('{"at":"<date>","t":<timestamp>}');
  });

  test('a signed short value keeps its value; random tokens elsewhere are numbered; words stay', () => {
    const [masked] = maskExchanges([
      exchange({
        cookie: 'theme=s%3Adark.3Yx0fQ9nL2; lang=en',
        body: `token=f3a9c2e17b4d8a6059e1c3b7a2d4f6e8 sid=${ID_A} dev-only-secret-do-not-use-in-production`,
      }),
    ]);
    expect(masked?.cookie).toBe('theme=s%3Adark.<sig>; lang=en');
    expect(masked?.body).toBe('token=<random-1> sid=<random-2> dev-only-secret-do-not-use-in-production');
  });

  test('a session ID seen in a cookie is recognised in a body too', () => {
    const masked = maskExchanges([
      exchange({ setCookie: [`connect.sid=s%3A${ID_A}.sig; Path=/`], body: `Your session is ${ID_A}` }),
    ]);
    expect(masked[0]?.body).toBe('Your session is <session-id-1>');
  });
});
