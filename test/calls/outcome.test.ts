import { describe, expect, it } from 'vitest';
import { resolveOutcome } from '../../src/main/core/calls/outcome';

describe('outcomes from what the provider said', () => {
  it('knows a wrong number apart from a wrong person, however the provider writes it', () => {
    expect(resolveOutcome('Wrong Number', undefined, {})).toBe('wrong_number');
    expect(resolveOutcome(undefined, { call_outcome: 'wrong-number' }, {})).toBe('wrong_number');
    expect(resolveOutcome(undefined, { call_outcome: 'wrong person' }, {})).toBe('wrong_person');
  });

  it('takes the campaign’s mapping first', () => {
    expect(resolveOutcome('not the right guy', undefined, { 'not the right guy': 'wrong_number' })).toBe(
      'wrong_number',
    );
    expect(resolveOutcome('maybe later', undefined, {})).toBeNull();
  });
});
